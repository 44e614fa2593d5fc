// `atrium audit verify`, spawned for real against a test database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../test/helpers/platform.ts';
import { TEST_SECRET } from '../../test/helpers/constants.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

type Run = { code: number; stdout: string; stderr: string };

describe('atrium audit verify', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let cwd: string;

  before(async () => {
    database = await createTestDatabase();
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-audit-cli-'));
  });
  after(async () => {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  function atrium(args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data') },
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  async function sql(text: string, values: unknown[] = []): Promise<void> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  test('every chain intact: exit 0 and a table; one workspace by slug; JSON', async () => {
    for (const name of ['Alpha Audit', 'Beta Audit']) assert.equal((await atrium(['workspace', 'create', '--name', name])).code, 0);
    const run = await atrium(['audit', 'verify']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^WORKSPACE\s+ID\s+EVENTS\s+FROM SEQ\s+TO SEQ\s+PENDING\s+CHAIN/);
    assert.match(run.stdout, /alpha-audit\s+\S+\s+1\s+1\s+1\s+0\s+ok/);
    assert.match(run.stdout, /All 2 chain\(s\) verified\./);
    assert.match(run.stderr, /verified 2\/2 workspaces/);

    const one = await atrium(['audit', 'verify', '--workspace', 'beta-audit', '--json']);
    assert.equal(one.code, 0, one.stderr);
    const results = JSON.parse(one.stdout);
    assert.equal(results.length, 1);
    assert.deepEqual([results[0].slug, results[0].isValid, results[0].checked], ['beta-audit', true, 1]);
  });

  test('a tampered chain: exit 1 and the first broken link; the other workspace still verifies', async () => {
    await sql(`begin; alter table audit_events disable trigger user;
      update audit_events set diff = '{"after": {"name": "Forged"}}' where workspace_id = (select id from workspaces where slug = 'beta-audit')
        and id = (select event_id from audit_chain where workspace_id = (select id from workspaces where slug = 'beta-audit') and seq = 1);
      alter table audit_events enable trigger user; commit`);
    const run = await atrium(['audit', 'verify']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /beta-audit\s+\S+\s+1\s+1\s+1\s+0\s+BROKEN/);
    assert.match(run.stdout, /beta-audit: first broken link at seq 1 \(event [0-9a-f-]{36}\): its content does not match its hash/);
    assert.match(run.stdout, /1 of 2 chain\(s\) broken\./);
    assert.equal((await atrium(['audit', 'verify', '--workspace', 'alpha-audit'])).code, 0);
    const json = await atrium(['audit', 'verify', '--workspace', 'beta-audit', '--json']);
    assert.equal(json.code, 1);
    assert.deepEqual([JSON.parse(json.stdout)[0].firstBrokenSeq, JSON.parse(json.stdout)[0].reason], [1, 'hash_mismatch']);
  });

  test('an unknown workspace: one clear error line', async () => {
    const run = await atrium(['audit', 'verify', '--workspace', 'no-such-workspace']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr.trim(), /^atrium: no workspace with the id or slug "no-such-workspace"$/);
  });
});
