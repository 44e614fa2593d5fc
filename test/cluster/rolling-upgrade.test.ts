// A rolling upgrade, old and new code on one database (issue 16; docs/reliability.md): the release
// before the newest migration runs (its API and worker, from `git archive`), clients keep writing;
// the new API starts and migrates the live database under them; old and new processes serve side
// by side (the old worker runs executions the new API queued); then the new worker starts and
// the old processes are stopped with SIGTERM. No request fails at any point, every execution
// completes once. Migrations are expand/contract: this test is what holds the next one to it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../helpers/platform.ts';
import type { TestDatabase } from '../helpers/platform.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startCliProcess, stopCliProcess } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

/** The commit before the newest migration: the release an upgrade to this one starts from. */
function previousRelease(): string | null {
  try {
    const newest = git('log', '-n1', '--format=%H', '--', 'migrations');
    return newest ? git('rev-parse', `${newest}^`) : null;
  } catch {
    return null; // not a git checkout, or a shallow one
  }
}

const oldRev = previousRelease();

describe('rolling upgrade: the previous release and this one on one database', { skip: oldRev ? false : 'no git history to take the previous release from' }, () => {
  const oldDir = mkdtempSync(path.join(tmpdir(), 'atrium-previous-'));
  let database: TestDatabase;
  let pool: pg.Pool;
  let env: Record<string, string>;
  const procs: CliProcess[] = [];

  before(() => {
    // The previous release's tree, with this checkout's dependencies and built console.
    execFileSync('sh', ['-c', `git archive --format=tar ${oldRev} | tar -x -C "${oldDir}"`], { cwd: root });
    symlinkSync(path.join(root, 'node_modules'), path.join(oldDir, 'node_modules'));
    if (existsSync(path.join(root, 'console/dist'))) {
      mkdirSync(path.join(oldDir, 'console'), { recursive: true });
      cpSync(path.join(root, 'console/dist'), path.join(oldDir, 'console/dist'), { recursive: true });
    }
  });

  after(async () => {
    await Promise.allSettled(procs.map(stopCliProcess));
    await pool?.end().catch(() => undefined);
    await database?.drop();
    rmSync(oldDir, { recursive: true, force: true });
  });

  test('no request fails and every execution completes once while the new release migrates and replaces the old one', async () => {
    database = await createTestDatabase({ empty: true });
    pool = new pg.Pool({ connectionString: database.directUrl, max: 2 });
    pool.on('error', () => undefined);
    env = {
      PATH: process.env.PATH ?? '', ...database.env, ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
      ATRIUM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'atrium-upgrade-')), ATRIUM_LOG_LEVEL: 'error', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
      ATRIUM_DRAIN_SECONDS: '1',
    };
    const oldBin = path.join(oldDir, 'bin/atrium.mjs');
    const oldApi = await startCliProcess('api', env, oldBin); // migrates the empty database to the old schema
    const oldWorker = await startCliProcess('worker', env, oldBin);
    procs.push(oldApi, oldWorker);
    const oldVersion = (await pool.query<{ v: number }>('select max(version)::int as v from schema_migrations')).rows[0].v;

    const signup = await fetch(`${oldApi.url}/api/v1/onboard/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'upgrade@example.com', password: 'a long enough password', name: 'Upgrade', companyName: 'Upgrade Co' }),
    });
    assert.equal(signup.status, 201);
    const { accessToken } = (await signup.json()) as { accessToken: string };
    const call = async (base: string, method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${url}`, {
        method, headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, json: () => JSON.parse(text) as Record<string, unknown>, text };
    };
    const created = await call(oldApi.url, 'POST', '/workflows', { name: 'Upgrade', definition: { steps: [{ id: 'greet', type: 'transform', input: { n: '=input.n' }, expression: '"n=" & step.n' }] } });
    assert.equal(created.status, 201, created.text);
    const wf = created.json().id as string;
    assert.equal((await call(oldApi.url, 'POST', `/workflows/${wf}/deploy`, {})).status, 200);

    // Clients on every serving process, without pause: writes, executions, reads, invitations.
    const serving = new Set<string>([oldApi.url]);
    const failures: string[] = [];
    const executions: string[] = [];
    const served = new Map<string, number>();
    let isStopped = false;
    let n = 0;
    const client = async () => {
      while (!isStopped) {
        for (const base of [...serving]) {
          const i = n++;
          const results = await Promise.all([
            call(base, 'PUT', `/secrets/UPGRADE_${i}`, { value: `v-${i}` }),
            call(base, 'POST', `/workflows/${wf}/execute`, { input: { n: i } }),
            call(base, 'GET', '/workflows'),
            call(base, 'POST', '/invitations', { email: `guest${i}@example.com`, role: 'member' }),
          ].map((p) => p.catch((err: Error) => ({ status: 0, text: err.message, json: () => ({}) }))));
          for (const r of results) if (r.status >= 300) failures.push(`${base === oldApi.url ? 'old' : 'new'}: ${r.status} ${r.text.slice(0, 300)}`);
          if (results[1].status === 202) executions.push((results[1].json() as { executionId: string }).executionId);
          served.set(base, (served.get(base) ?? 0) + 1);
        }
      }
    };
    const clients = Promise.all([client(), client()]);

    await waitUntil('the old release serving', () => (served.get(oldApi.url) ?? 0) >= 5);
    const newApi = await startCliProcess('api', env); // migrates the live database
    procs.push(newApi);
    const newVersion = (await pool.query<{ v: number }>('select max(version)::int as v from schema_migrations')).rows[0].v;
    assert.ok(newVersion > oldVersion, `the new release migrated (${oldVersion} → ${newVersion})`);
    serving.add(newApi.url);
    // Side by side: the old API on the new schema; the old worker runs what the new API queues.
    await waitUntil('both releases serving', () => (served.get(newApi.url) ?? 0) >= 5 && (served.get(oldApi.url) ?? 0) >= 15, 30_000);
    const newWorker = await startCliProcess('worker', env);
    procs.push(newWorker);
    await stopCliProcess(oldWorker);
    serving.delete(oldApi.url); // the load balancer stops sending to it, then it drains
    await stopCliProcess(oldApi);
    assert.equal(oldApi.child.exitCode, 0, 'the old API drained and exited cleanly');
    assert.equal(oldWorker.child.exitCode, 0, 'the old worker finished its jobs and exited cleanly');
    await waitUntil('the new release serving alone', async () => (served.get(newApi.url) ?? 0) >= 15, 30_000);
    isStopped = true;
    await clients;

    assert.deepEqual(failures, [], 'no request failed during the upgrade');
    await waitUntil('every execution completed', async () => {
      const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from workflow_executions where id = any($1::uuid[]) and status = 'completed'`, [executions]);
      return rows[0].n === executions.length;
    }, 60_000);
    const twice = await pool.query(`select execution_id from workflow_step_runs where execution_id = any($1::uuid[]) and status = 'completed' group by execution_id having count(*) > 1`, [executions]);
    assert.equal(twice.rowCount, 0, 'no execution completed twice');
    console.log(`rolling upgrade: ${oldRev!.slice(0, 7)} (migration ${oldVersion}) → this release (migration ${newVersion}): ${served.get(oldApi.url)} rounds on the old API, ${served.get(newApi.url)} on the new, ${executions.length} executions across both workers, 0 failures`);
  });
});
