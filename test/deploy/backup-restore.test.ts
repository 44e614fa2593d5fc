// `atrium backup` and `atrium restore` through the real CLI (issue 16's restore test): a seeded
// installation — users who log in, secrets, a workflow run, an API key, a data API table with rows,
// sealed audit chains — is backed up, restored into a fresh database, and the restored one is
// started: the same rows in every table, every audit chain verifies, the secrets decrypt, the user
// logs in with their password, the API key and the data API answer. An altered backup, a backup
// read with another key and a restore into a database that holds workspaces are refused, and
// leave the target as it was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, startTestPlatform, testConfig } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { waitUntil } from '../helpers/wait.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import type { BackupManifest } from '../../src/kernel/backup.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');
const MASTER_KEY = randomBytes(32).toString('base64');

const atrium = (args: string[], env: Record<string, string>) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, [BIN, ...args], { timeout: 120_000, env: { PATH: process.env.PATH ?? '', ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: MASTER_KEY, ATRIUM_LOG_LEVEL: 'warn', ...env } },
    (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
});

describe('backup and restore', () => {
  let source: TestPlatform;
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-backup-'));
  const file = path.join(dir, 'atrium.bk');
  let token: string;
  let workspaceId: string;
  let apiKey: string;
  let manifest: BackupManifest;
  const targets: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];

  const call = async (method: string, url: string, body: unknown, bearer: string, via: TestPlatform['app'] = source.app) => {
    const res = await via.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${bearer}` }, payload: body as object });
    return res;
  };
  const counts = async (url: string, tables: string[]) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const out: Record<string, number> = {};
      for (const t of tables) out[t] = (await c.query<{ n: number }>(`select count(*)::int as n from "${t}"`)).rows[0].n;
      return out;
    } finally {
      await c.end();
    }
  };

  before(async () => {
    source = await startTestPlatform({ ATRIUM_MASTER_KEY: MASTER_KEY, ATRIUM_DATA_DIR: dir });
    source.jobs.start();
    const signup = await source.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'owner@restore.test', password: 'correct horse battery staple 9', name: 'Owner', companyName: 'Restore Co' } });
    assert.equal(signup.statusCode, 201, signup.body);
    token = signup.json().accessToken as string;
    workspaceId = signup.json().workspace.id as string;
    const other = await source.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'second@restore.test', password: 'correct horse battery staple 9', name: 'Second', companyName: 'Second Co' } });
    assert.equal(other.statusCode, 201);
    assert.equal((await call('PUT', '/secrets/CRM_TOKEN', { value: 'sk-live-restore-0123456789' }, token)).statusCode, 201);
    const key = await call('POST', '/api-keys', { name: 'ci', role: 'admin' }, token);
    apiKey = key.json().key as string;
    const wf = (await call('POST', '/workflows', { name: 'Double', definition: { steps: [{ id: 'd', type: 'transform', expression: 'input.n * 2' }] } }, token)).json().id as string;
    assert.equal((await call('POST', `/workflows/${wf}/deploy`, {}, token)).statusCode, 200);
    assert.equal((await call('POST', `/workflows/${wf}/execute`, { input: { n: 21 } }, token)).statusCode, 202);
    assert.equal((await call('POST', '/data/migrations', { operations: [{ op: 'create_table', table: 'tasks', columns: [{ name: 'title', type: 'text', nullable: false }, { name: 'points', type: 'integer' }] }] }, token)).statusCode, 201);
    for (const [title, points] of [['Ship', 3], ['Test', 5]]) {
      const res = await call('POST', '/data/graphql', { query: `mutation { createTask(input: { title: "${title}", points: ${points} }) { id } }` }, token);
      assert.equal(res.statusCode, 200, res.body);
    }
    await waitUntil('the execution done', async () => (await source.db.withPlatform((tx) => tx.query(`select 1 from workflow_executions where status = 'completed'`))).rows.length === 1);
    await source.jobs.stop();
    await source.audit.seal();
  });

  after(async () => {
    await source.stop();
    for (const t of targets) await t.drop();
  });

  test('backup: every table in one file with its manifest and checksum; nothing readable in clear', async () => {
    const res = await atrium(['backup', '--out', file, '--json'], { DATABASE_URL: source.ownerUrl, ATRIUM_DATA_DIR: dir });
    assert.equal(res.code, 0, res.stderr);
    manifest = JSON.parse(res.stdout) as BackupManifest;
    assert.equal(manifest.format, 'atrium-backup');
    assert.deepEqual(JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')), manifest);
    const byName = Object.fromEntries(manifest.tables.map((t) => [t.name, t.rows]));
    assert.equal(byName.workspaces, 2);
    assert.ok(byName.audit_events > 5 && byName.secrets === 1 && byName.workflow_executions === 1);
    assert.equal(byName.data_schemas, undefined, 'the data API rebuilds its own tables from its exports');
    assert.equal(manifest.dataWorkspaces.length, 1);
    // The run is recorded: the age of the last good backup is a metric (and the BackupTooOld alert).
    const run = await source.db.withPlatform((tx) => tx.query<{ sha256: string; tables: number }>('select sha256, tables from backup_runs'));
    assert.deepEqual(run.rows, [{ sha256: manifest.sha256, tables: manifest.tables.length }]);
    const gauge = (await source.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'atrium_backup_last_success_timestamp_seconds');
    const at = (gauge?.values as Array<{ value: number }> | undefined)?.[0]?.value ?? 0;
    assert.ok(Math.abs(at - Date.now() / 1000) < 120, `the gauge reads the run (${at})`);
    const bytes = readFileSync(file);
    for (const clear of ['owner@restore.test', 'Restore Co', 'CRM_TOKEN', 'Ship']) assert.equal(bytes.includes(Buffer.from(clear)), false, `${clear} in clear`);
  });

  test('restore into a fresh database: same rows, chains verify, secrets decrypt, the user logs in, the API key and the data API answer', async () => {
    const target = await createTestDatabase();
    targets.push(target);
    const res = await atrium(['restore', '--in', file, '--json'], { DATABASE_URL: target.url, ATRIUM_DATA_DIR: dir });
    assert.equal(res.code, 0, res.stderr);
    const tables = manifest.tables.map((t) => t.name);
    const [before, after] = [await counts(source.ownerUrl, tables), await counts(target.url, tables)];
    // The restore's own import of the data schema is one more audit event (and its link, once sealed);
    // the backup's own run is recorded after its snapshot (in the source, not in the file).
    assert.deepEqual({ ...after, audit_events: 0, audit_chain: 0, backup_runs: 0 }, { ...before, audit_events: 0, audit_chain: 0, backup_runs: 0 });
    assert.equal(before.backup_runs - after.backup_runs, 1);
    assert.ok(after.audit_events >= before.audit_events);

    const verify = await atrium(['audit', 'verify', '--json'], { DATABASE_URL: target.url, ATRIUM_DATA_DIR: dir });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.ok((JSON.parse(verify.stdout) as Array<{ isValid: boolean }>).every((r) => r.isValid));

    const config = testConfig({ DATABASE_URL: target.url, ATRIUM_MASTER_KEY: MASTER_KEY, ATRIUM_DATA_DIR: dir });
    const log = createLogger('silent');
    const db = await connectDatabase(config, log, target.url);
    const restored = await buildPlatform(config, db, log, { serveConsole: false });
    try {
      const login = await restored.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'owner@restore.test', password: 'correct horse battery staple 9' } });
      assert.equal(login.statusCode, 200, login.body);
      const fresh = login.json().accessToken as string;
      const ws = workspaceId;
      assert.equal(await restored.db.withWorkspace(ws, (tx) => restored.secrets.resolve(tx, ws, 'CRM_TOKEN')), 'sk-live-restore-0123456789');
      assert.equal((await call('GET', '/workflows', undefined, apiKey, restored.app)).statusCode, 200, 'the API key works');
      const rows = await call('POST', '/data/graphql', { query: '{ tasks(orderBy: [POINTS_ASC]) { nodes { title points } } }' }, fresh, restored.app);
      assert.equal(rows.statusCode, 200, rows.body);
      assert.ok(rows.json().data, rows.body);
      assert.deepEqual(rows.json().data.tasks.nodes, [{ title: 'Ship', points: 3 }, { title: 'Test', points: 5 }]);
    } finally {
      await restored.close();
      await db.close();
    }
  });

  test('refused, leaving the target as it was: an altered file (checksum, then the GCM tag), another key, a target with workspaces', async () => {
    const target = await createTestDatabase();
    targets.push(target);
    const workspaces = async () => (await counts(target.url, ['workspaces'])).workspaces;
    const altered = path.join(dir, 'altered.bk');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(altered, bytes);
    writeFileSync(`${altered}.manifest.json`, readFileSync(`${file}.manifest.json`));
    const bySum = await atrium(['restore', '--in', altered], { DATABASE_URL: target.url, ATRIUM_DATA_DIR: dir });
    assert.equal(bySum.code, 1);
    assert.match(bySum.stderr, /SHA-256/);
    renameSync(`${altered}.manifest.json`, `${altered}.manifest.json.gone`);
    const byTag = await atrium(['restore', '--in', altered], { DATABASE_URL: target.url, ATRIUM_DATA_DIR: dir });
    assert.equal(byTag.code, 1);
    assert.match(byTag.stderr, /does not decrypt or was altered|incorrect header check|invalid/i);
    assert.equal(await workspaces(), 0, 'nothing committed');

    const otherKey = await atrium(['restore', '--in', file], { DATABASE_URL: target.url, ATRIUM_DATA_DIR: dir, ATRIUM_BACKUP_KEY: randomBytes(32).toString('base64') });
    assert.equal(otherKey.code, 1);
    assert.match(otherKey.stderr, /sealed with master-key/);

    const live = await atrium(['restore', '--in', file], { DATABASE_URL: source.ownerUrl, ATRIUM_DATA_DIR: dir });
    assert.equal(live.code, 1);
    assert.match(live.stderr, /holds 2 workspace\(s\): restore into an empty database/);
  });
});
