// `atrium webhooks replay`, spawned for real against a test database holding stored deliveries.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../test/helpers/platform.ts';
import { TEST_SECRET } from '../../test/helpers/constants.ts';
import { parseSince } from './webhooks.command.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

type Run = { code: number; stdout: string; stderr: string };

describe('atrium webhooks replay', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let cwd: string;
  const ids = { workspace: '', endpoint: '', other: '' };

  before(async () => {
    database = await createTestDatabase();
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-webhooks-cli-'));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      ids.workspace = (await client.query<{ id: string }>(`insert into workspaces (slug, name) values ('replay-cli', 'Replay CLI') returning id`)).rows[0].id;
      for (const key of ['endpoint', 'other'] as const) {
        ids[key] = (await client.query<{ id: string }>(
          `insert into webhook_endpoints (workspace_id, name, target_kind, secret_sealed) values ($1, $2, 'none', 'v1.x.x.x') returning id`, [ids.workspace, key])).rows[0].id;
      }
      for (const [endpoint, n] of [[ids.endpoint, 12], [ids.other, 1]] as const) {
        for (let i = 0; i < n; i++) {
          await client.query(
            `insert into webhook_inbound_deliveries (workspace_id, endpoint_id, webhook_id, webhook_timestamp, body, outcome, response_status, response_body)
             values ($1, $2, $3, now(), '{}', 'accepted', 202, '{}')`, [ids.workspace, endpoint, `msg_${i}`]);
        }
      }
    } finally {
      await client.end();
    }
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

  test('--since as a duration or a date', () => {
    const now = new Date('2026-01-02T00:00:00Z');
    assert.equal(parseSince('2h', now).toISOString(), '2026-01-01T22:00:00.000Z');
    assert.equal(parseSince('2026-01-01T10:00:00Z', now).toISOString(), '2026-01-01T10:00:00.000Z');
    assert.throws(() => parseSince('yesterday', now), /--since/);
  });

  test('replays one endpoint\'s deliveries with progress, then resumes without re-running any', async () => {
    const run = await atrium(['webhooks', 'replay', '--since', '1h', '--endpoint', ids.endpoint, '--workspace', 'replay-cli', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.total, 12);
    assert.equal(summary.replayed, 12);
    assert.match(run.stderr, /replayed 12\/12/);

    const again = await atrium(['webhooks', 'replay', '--since', '1h', '--endpoint', ids.endpoint, '--replay-id', summary.replayId]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Replayed 0 of 12 deliveries \(12 already done by this replay/);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from webhook_inbound_replays where replay_id = $1', [summary.replayId]);
      assert.equal(rows[0].n, 12, 'one row per delivery, none for the other endpoint');
    } finally {
      await client.end();
    }
  });

  test('a bad option is one clear line and exit 2 (a usage error)', async () => {
    const run = await atrium(['webhooks', 'replay', '--since', 'soon']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--since must be a duration/);
  });
});
