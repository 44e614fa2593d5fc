// Many processes on one database (issue 16): three `atrium start --role api` and two
// `atrium start --role worker` processes — the real CLI, each with its own pools — against one
// PostgreSQL. What lives in a process's memory and must be shared works across them through
// PostgreSQL: a workspace's rate limit is one budget; a revoked API key is refused by every API
// process within a second (the cache invalidation bus, not the caches' 2 s TTL); each cron fire
// runs once; a data subscriber on one process hears a row written through another; jobs queued
// through any API process run exactly once on the workers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { createTestDatabase } from '../helpers/platform.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startCliProcess as startProcess, stopCliProcess as stopProcess } from '../helpers/cli-process.ts';
import type { CliProcess as Proc } from '../helpers/cli-process.ts';

describe('three API and two worker processes on one database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let owner: pg.Client;
  let apis: Proc[] = [];
  let workers: Proc[] = [];
  let token: string;
  let workspaceId: string;
  const clients: Client[] = [];

  const call = async (p: Proc, method: string, url: string, body?: unknown, bearer = token) => {
    const res = await fetch(`${p.url}/api/v1${url}`, {
      method, headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: () => JSON.parse(text) as Record<string, unknown> & { data?: unknown }, text };
  };

  before(async () => {
    database = await createTestDatabase();
    const env = {
      PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
      ATRIUM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'atrium-cluster-')), ATRIUM_LOG_LEVEL: 'warn', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
    };
    // One first (it applies the migrations), then the rest together.
    apis = [await startProcess('api', env)];
    const rest = await Promise.all([startProcess('api', env), startProcess('api', env), startProcess('worker', env), startProcess('worker', env)]);
    apis.push(rest[0], rest[1]);
    workers = [rest[2], rest[3]];
    owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    const signup = await fetch(`${apis[0].url}/api/v1/onboard/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cluster@example.com', password: 'a long enough password', name: 'Cluster', companyName: 'Cluster Co' }),
    });
    assert.equal(signup.status, 201, await signup.clone().text());
    const body = (await signup.json()) as { accessToken: string; workspace: { id: string } };
    token = body.accessToken;
    workspaceId = body.workspace.id;
  });

  after(async () => {
    for (const c of clients) await Promise.resolve(c.dispose()).catch(() => undefined);
    await Promise.allSettled([...apis, ...workers].map(stopProcess));
    await owner?.end().catch(() => undefined);
    await database?.drop();
  });

  test('a revoked API key is refused by every API process within a second', async () => {
    const created = await call(apis[0], 'POST', '/api-keys', { name: 'ci', role: 'member' });
    assert.equal(created.status, 201, created.text);
    const { id, key } = created.json() as { id: string; key: string };
    // Each process has the key's state cached (for 2 s) once it has answered it.
    for (const p of apis) assert.equal((await call(p, 'GET', '/auth/me', undefined, key)).status, 200);
    assert.equal((await call(apis[0], 'DELETE', `/api-keys/${id}`)).status, 204);
    const revokedAt = Date.now();
    const refusedAfter = await Promise.all(apis.map(async (p) => {
      for (;;) {
        const res = await call(p, 'GET', '/auth/me', undefined, key);
        if (res.status === 401) return Date.now() - revokedAt;
        assert.equal(res.status, 200, res.text);
        if (Date.now() - revokedAt > 1000) return Infinity;
        await new Promise((r) => setTimeout(r, 10));
      }
    }));
    assert.ok(refusedAfter.every((ms) => ms <= 1000), `refused after ${refusedAfter.join(', ')} ms on the three processes (a process that only waited for its cache's TTL would take 2 s)`);
  });

  test('one rate limit for the workspace across the three API processes', async () => {
    const LIMIT = 30;
    // A workspace of its own, its limit set before any process has leased a token of it.
    const signup = await fetch(`${apis[1].url}/api/v1/onboard/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'limited@example.com', password: 'a long enough password', name: 'Limited', companyName: 'Limited Co' }),
    });
    assert.equal(signup.status, 201);
    const limited = (await signup.json()) as { accessToken: string; workspace: { id: string } };
    await owner.query(`update workspace_settings set value = $2::jsonb where workspace_id = $1 and key = 'rate_limit.per_minute'`, [limited.workspace.id, JSON.stringify(LIMIT)]);
    // Bursts on all three at once, well past the limit.
    const bursts = await Promise.all(apis.map(async (p) => {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await call(p, 'GET', '/auth/me', undefined, limited.accessToken)).status);
      return statuses;
    }));
    const admitted = bursts.flat().filter((s) => s === 200).length;
    assert.ok(bursts.flat().every((s) => s === 200 || s === 429), bursts.flat().join(','));
    assert.ok(admitted <= LIMIT && admitted >= LIMIT / 2, `admitted ${admitted} across three processes; the workspace allows ${LIMIT} a minute`);
    assert.ok(bursts.every((b) => b.includes(429)), 'each process refused once the shared budget was spent');
  });

  test('jobs queued through any API process run exactly once on the two workers; each cron fire runs once', async () => {
    const created = await call(apis[1], 'POST', '/workflows', { name: 'Counted', definition: { steps: [{ id: 'double', type: 'transform', expression: 'input.n * 2' }] } });
    assert.equal(created.status, 201, created.text);
    const wf = created.json().id as string;
    assert.equal((await call(apis[2], 'POST', `/workflows/${wf}/deploy`, {})).status, 200);
    const N = 60;
    for (let i = 0; i < N; i++) {
      const res = await call(apis[i % 3], 'POST', `/workflows/${wf}/execute`, { input: { n: i } });
      assert.equal(res.status, 202, res.text);
    }
    const done = () => owner.query<{ status: string; n: number }>('select status, count(*)::int as n from workflow_executions where workspace_id = $1 and workflow_id = $2 group by status', [workspaceId, wf]);
    await waitUntil('every execution finished', async () => (await done()).rows.every((r) => r.status === 'completed' || r.status === 'failed') && (await done()).rows.reduce((n, r) => n + r.n, 0) === N);
    assert.deepEqual((await done()).rows, [{ status: 'completed', n: N }]);
    const steps = await owner.query<{ runs: number; attempts: number }>(
      `select count(*)::int as runs, max(attempt)::int as attempts from workflow_step_runs where workspace_id = $1 and execution_id in (select id from workflow_executions where workflow_id = $2) group by execution_id`, [workspaceId, wf]);
    assert.equal(steps.rows.length, N);
    assert.ok(steps.rows.every((r) => r.runs === 1 && r.attempts === 1), 'one step run, first attempt, per execution: nothing ran twice');

    // A cron workflow: its schedule made due three times; the two workers race for each fire.
    const cron = await call(apis[0], 'POST', '/workflows', { name: 'Nightly', schedule: { cron: '0 3 * * *' }, definition: { steps: [{ id: 'one', type: 'transform', expression: '1' }] } });
    assert.equal(cron.status, 201, cron.text);
    const cronId = cron.json().id as string;
    assert.equal((await call(apis[0], 'POST', `/workflows/${cronId}/deploy`, {})).status, 200);
    const fired = async () => (await owner.query<{ n: number }>('select count(*)::int as n from workflow_executions where workflow_id = $1', [cronId])).rows[0].n;
    for (let fire = 1; fire <= 3; fire++) {
      await owner.query(`update job_schedules set next_run_at = now() - interval '1 second' where name = $1`, [`workflow:${cronId}`]);
      await waitUntil(`fire ${fire}`, async () => (await fired()) >= fire);
      // Both workers tick at least once more before the count is read again.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await fired(), fire, `fire ${fire} ran once`);
    }
  });

  test('a data subscriber on one API process hears a row written through another', async () => {
    const migrated = await call(apis[1], 'POST', '/data/migrations', { operations: [{ op: 'create_table', table: 'tasks', columns: [{ name: 'title', type: 'text', nullable: false }] }] });
    assert.equal(migrated.status, 201, migrated.text);
    const client = createClient({ url: `${apis[0].url.replace(/^http/, 'ws')}/api/v1/data/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    clients.push(client);
    const events: Array<{ op: string; key: string; row: { title: string } | null }> = [];
    client.subscribe({ query: 'subscription { taskChanged { op key row { title } } }' }, {
      next: (e) => { const changed = (e.data as { taskChanged?: (typeof events)[number] } | null)?.taskChanged; if (changed) events.push(changed); },
      error: (err) => { throw err instanceof Error ? err : new Error(JSON.stringify(err)); },
      complete: () => {},
    });
    // The subscription registers asynchronously on process A: write through B until A's subscriber hears one.
    const written: string[] = [];
    await waitUntil('an event on process A', async () => {
      const res = await call(apis[2], 'POST', '/data/graphql', { query: `mutation { createTask(input: { title: "from B ${written.length}" }) { id } }` });
      assert.equal(res.status, 200, res.text);
      written.push((res.json() as { data: { createTask: { id: string } } }).data.createTask.id);
      await new Promise((r) => setTimeout(r, 100));
      return events.length > 0;
    });
    assert.ok(events.every((e) => e.op === 'INSERT' && written.includes(e.key) && e.row?.title.startsWith('from B')), JSON.stringify(events));
  });
});
