// Faults on real processes (issue 16; figures in docs/reliability.md): `kill -9` of a worker in
// the middle of its jobs, and of an API process in the middle of a burst of writes.
// - Worker: every execution completes exactly once (the dead worker's jobs are reclaimed when
//   their lease ends); a step that was in flight is sent again — at-least-once for the outside
//   world, exactly once in the record.
// - API: every write acknowledged before the kill is there with its audit event; nothing half
//   written (a secret without its event, an event without its secret); the client saw an error,
//   not a hang; a new process serves at once.
// - SIGTERM: /readyz answers 503 at once while requests are still served for ATRIUM_DRAIN_SECONDS,
//   then a clean exit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../helpers/platform.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { waitUntil } from '../helpers/wait.ts';
import { killCliProcess, startCliProcess, stopCliProcess } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';

describe('faults on real processes', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let owner: pg.Client;
  let env: Record<string, string>;
  const procs: CliProcess[] = [];
  let api: CliProcess;
  let token: string;
  let workspaceId: string;
  // The outside world a workflow calls: slow (1.5 s), counting what it receives per execution input.
  const received = new Map<number, number>();
  let slow: Server;

  const start = async (role: 'api' | 'worker') => {
    const p = await startCliProcess(role, env);
    procs.push(p);
    return p;
  };
  const call = async (method: string, url: string, body?: unknown, via = api) => {
    const res = await fetch(`${via.url}/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: () => JSON.parse(text) as Record<string, unknown>, text };
  };

  before(async () => {
    slow = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const n = (JSON.parse(body || '{}') as { n?: number }).n ?? -1;
        received.set(n, (received.get(n) ?? 0) + 1);
        setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ ok: n })); }, 1500);
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    database = await createTestDatabase();
    env = {
      PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
      ATRIUM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'atrium-faults-')), ATRIUM_LOG_LEVEL: 'error', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
    };
    api = await start('api');
    owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    const signup = await fetch(`${api.url}/api/v1/onboard/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'faults@example.com', password: 'a long enough password', name: 'Faults', companyName: 'Faults Co' }),
    });
    assert.equal(signup.status, 201);
    const body = (await signup.json()) as { accessToken: string; workspace: { id: string } };
    token = body.accessToken;
    workspaceId = body.workspace.id;
    // The slow server is on 127.0.0.1: the workspace allows private addresses (a LAN service).
    assert.equal((await call('PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
  });

  after(async () => {
    await Promise.allSettled(procs.map(stopCliProcess));
    slow.close();
    await owner?.end().catch(() => undefined);
    await database?.drop();
  });

  test('kill -9 of a worker mid-job: every execution completes exactly once; in-flight steps are sent again', async () => {
    const { port } = slow.address() as AddressInfo;
    const created = await call('POST', '/workflows', { name: 'Slow call', definition: { steps: [{ id: 'call', type: 'http', method: 'POST', url: `http://127.0.0.1:${port}/work`, body: { n: '=input.n' } }] } });
    assert.equal(created.status, 201, created.text);
    const wf = created.json().id as string;
    assert.equal((await call('POST', `/workflows/${wf}/deploy`, {})).status, 200);
    const N = 12;
    for (let n = 0; n < N; n++) assert.equal((await call('POST', `/workflows/${wf}/execute`, { input: { n } })).status, 202);

    const first = await start('worker');
    // Mid-job: requests have reached the outside world, answers not back yet.
    await waitUntil('the worker calling out', () => received.size >= 2);
    await killCliProcess(first);
    const inFlight = [...received.keys()];
    await start('worker');

    const finished = () => owner.query<{ status: string; n: number }>('select status, count(*)::int as n from workflow_executions where workflow_id = $1 group by status order by status', [wf]);
    await waitUntil('every execution finished', async () => { const rows = (await finished()).rows; return rows.length === 1 && rows[0].status === 'completed' && rows[0].n === N; }, 60_000);
    const completedSteps = await owner.query<{ n: number; completed: number }>(
      `select (select count(*)::int from workflow_executions where workflow_id = $1) as n,
              count(*) filter (where s.status = 'completed')::int as completed
       from workflow_step_runs s join workflow_executions e on e.workspace_id = s.workspace_id and e.id = s.execution_id where e.workflow_id = $1`, [wf]);
    assert.deepEqual(completedSteps.rows[0], { n: N, completed: N }, 'one completed step run per execution: no duplicate completion');
    assert.equal(received.size, N, 'every execution reached the outside world');
    const resent = [...received.entries()].filter(([, count]) => count > 1).map(([n]) => n);
    assert.ok(resent.every((n) => inFlight.includes(n)), `only steps in flight at the kill were sent again (resent ${resent.join(',')}, in flight ${inFlight.join(',')})`);
    console.log(`faults: worker killed with ${inFlight.length} call(s) in flight; ${resent.length} sent again; ${N}/${N} executions completed once`);
  });

  test('SIGTERM drains: readiness goes false first while requests are still served, then the process stops cleanly', async () => {
    const draining = await startCliProcess('api', { ...env, ATRIUM_DRAIN_SECONDS: '2' });
    procs.push(draining);
    assert.equal((await fetch(`${draining.url}/readyz`)).status, 200);
    const exited = new Promise<number | null>((r) => draining.child.once('exit', (code) => r(code)));
    draining.child.kill('SIGTERM');
    const ready = await waitUntil('readiness false', async () => { const res = await fetch(`${draining.url}/readyz`); return res.status === 503 ? res : null; }, 2000);
    assert.equal(ready.headers.get('retry-after'), '1');
    assert.equal((await call('GET', '/auth/me', undefined, draining)).status, 200, 'still serving while the load balancer notices');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(`${draining.url}/healthz`), 'stopped listening');
  });

  test('kill -9 of an API process mid-burst: acknowledged writes are all there, each with its audit event; nothing half-written; a new process serves at once', async () => {
    const victim = await start('api');
    const acknowledged: string[] = [];
    const failedAtClient: string[] = [];
    let killed: Promise<void> | null = null;
    await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const name = `FAULT_${i}`;
      try {
        const res = await call('PUT', `/secrets/${name}`, { value: `value-${i}-${randomBytes(8).toString('hex')}` }, victim);
        if (res.status === 201) acknowledged.push(name);
        if (acknowledged.length === 15 && !killed) killed = killCliProcess(victim);
      } catch {
        failedAtClient.push(name); // the connection died with the process: an error, not a hang
      }
    }));
    await killed;
    assert.ok(acknowledged.length >= 15, `${acknowledged.length} acknowledged`);
    const secrets = (await owner.query<{ id: string; name: string }>('select id, name from secrets where workspace_id = $1 and name like $2', [workspaceId, 'FAULT\\_%'])).rows;
    const events = (await owner.query<{ target_id: string }>(`select target_id from audit_events where workspace_id = $1 and action = 'secret.created'`, [workspaceId])).rows;
    const names = new Set(secrets.map((s) => s.name));
    assert.ok(acknowledged.every((n) => names.has(n)), 'every acknowledged write is there');
    assert.deepEqual(new Set(events.map((e) => e.target_id)), new Set(secrets.map((s) => s.id)), 'each secret has its created event, and no event lacks its secret');
    // Another API process serves at once (the survivor here).
    assert.equal((await call('GET', '/secrets?limit=100')).status, 200);
    console.log(`faults: API killed mid-burst of 60 writes: ${acknowledged.length} acknowledged (all present), ${secrets.length - acknowledged.length} committed but unacknowledged, ${60 - secrets.length} never committed, ${failedAtClient.length} saw a connection error`);
  });
});
