// `atrium usage`, spawned for real against a test platform's database holding usage events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_SECRET } from '../../test/helpers/constants.ts';
import { startTestPlatform } from '../../test/helpers/platform.ts';
import type { TestPlatform } from '../../test/helpers/platform.ts';
import { createTenant } from '../../test/helpers/tenants.ts';
import type { Tenant } from '../../test/helpers/tenants.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

describe('atrium usage', () => {
  let platform: TestPlatform;
  let t: Tenant;
  let cwd: string;

  function atrium(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', DATABASE_URL: platform.ownerUrl, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data') } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  before(async () => {
    platform = await startTestPlatform();
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-usage-'));
    t = await createTenant(platform, 'cli-usage');
    await platform.db.withPlatform((tx) => tx.query(
      `insert into usage_events (workspace_id, occurred_at, provider_name, operation, api_format, model, input_tokens, output_tokens, cost_micros, pricing, usage_source, status, provider_latency_ms)
       values ($1, now() - interval '1 day', 'openai', 'chat', 'openai', 'gpt-4o-mini', 1000, 500, 450, 'priced', 'provider', 'ok', 120),
              ($1, now() - interval '2 hours', 'ollama', 'chat', 'openai', 'llama3', 300, 200, null, 'unpriced', 'estimated', 'ok', 80)`, [t.workspaceId]));
    // Events written in the past (as if they had been metered then): the rollup job catches up on them.
    await platform.db.withPlatform((tx) => tx.query(`update usage_rollup_watermark set rolled_to = date_trunc('hour', now()) - interval '3 days'`));
    await platform.usage.rollUp();
  });
  after(async () => {
    await platform.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  test('--json: the summary (unpriced counted apart, never $0) and the quotas', async () => {
    const run = await atrium(['usage', '--workspace', 'cli-usage', '--since', '7d', '--group-by', 'model', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { summary: { totals: { calls: number; costMicros: number; unpricedCalls: number }; groups: Array<{ key: string }> }; quotas: { quotas: Array<{ scope: string }> } };
    assert.deepEqual(out.summary.totals.calls, 2);
    assert.equal(out.summary.totals.costMicros, 450);
    assert.equal(out.summary.totals.unpricedCalls, 1);
    assert.deepEqual(out.summary.groups.map((g) => g.key), ['gpt-4o-mini', 'llama3']);
    assert.equal(out.quotas.quotas[0].scope, 'workspace');
  });

  test('a table for people; a bad option is a usage error (exit 2)', async () => {
    const run = await atrium(['usage', '--workspace', t.workspaceId, '--since', '30d']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2 calls, 2,000 tokens, \$0\.000450 \+ 1 unpriced call/);
    assert.match(run.stdout, /QUOTA/);
    const bad = await atrium(['usage', '--workspace', 'cli-usage', '--group-by', 'planet']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--group-by must be one of/);
    const missing = await atrium(['usage', '--workspace', 'nope-nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no workspace/);
  });
});
