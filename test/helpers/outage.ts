// Load through an outage (issue 16's fault tests: PgBouncer killed, PostgreSQL restarted): clients
// write secrets and start workflow executions without pause on each API process while `outage`
// takes the database path away and brings it back. Asserted: every request is answered (503 with
// Retry-After while the database is away, promptly, never a hang); writes are acknowledged again
// soon after without restarting anything; every acknowledged write is stored with its audit event;
// every acknowledged execution completes, none twice. Returns the figures for the log.
import assert from 'node:assert/strict';
import type pg from 'pg';
import { waitUntil } from './wait.ts';

export type OutageFigures = { acknowledged: number; executions: number; refused: number; slowestMs: number; recoveredMs: number };

export async function loadThroughOutage(options: {
  apiUrls: string[]; token: string; owner: pg.Pool; outage: () => Promise<void>; diagnostics?: () => string;
}): Promise<OutageFigures> {
  const call = async (base: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${url}`, {
      method, headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json: () => JSON.parse(text) as Record<string, unknown>, text };
  };
  const [first] = options.apiUrls;
  const created = await call(first, 'POST', '/workflows', { name: `Through an outage ${Date.now()}`, definition: { steps: [{ id: 'greet', type: 'transform', input: { n: '=input.n' }, expression: '"n=" & step.n' }] } });
  assert.equal(created.status, 201, created.text);
  const wf = created.json().id as string;
  assert.equal((await call(first, 'POST', `/workflows/${wf}/deploy`, {})).status, 200);

  const acknowledged: string[] = [];
  const executions: string[] = [];
  const refused: { retryAfter: string | null; ms: number; text: string }[] = [];
  let isOut = false;
  let isStopped = false;
  let n = 0;
  const prefix = `OUT${Date.now() % 100000}_`;
  let loadFailure: unknown = null;
  const load = Promise.all(options.apiUrls.map(async (base) => {
    while (!isStopped) {
      const i = n++;
      const started = Date.now();
      const [secret, execution] = await Promise.all([
        call(base, 'PUT', `/secrets/${prefix}${i}`, { value: `load-${i}` }).catch(() => null),
        call(base, 'POST', `/workflows/${wf}/execute`, { input: { n: i } }).catch(() => null),
      ]);
      for (const res of [secret, execution]) {
        assert.ok(res, 'every request answered (no hang, no reset)');
        if (res.status === 503) refused.push({ retryAfter: res.retryAfter, ms: Date.now() - started, text: res.text });
        else assert.ok(res.status === 201 || res.status === 202, `${res.status} ${res.text}; ${options.diagnostics?.() ?? ''}`);
      }
      if (secret!.status === 201) acknowledged.push(`${prefix}${i}`);
      if (execution!.status === 202) executions.push(execution!.json().executionId as string);
      if (isOut) await new Promise((r) => setTimeout(r, 50));
    }
  })).catch((err: unknown) => {
    // One failed assertion stops every client (and fails the waits below at once).
    loadFailure ??= err;
    isStopped = true;
  });
  const failed = () => {
    if (loadFailure) throw loadFailure;
  };
  let recoveredMs: number;
  try {
    await waitUntil('some load before the outage', () => (failed(), acknowledged.length >= 10));
    isOut = true;
    await options.outage();
    isOut = false;
    const backAt = Date.now();
    const before = acknowledged.length;
    await waitUntil('writes acknowledged again after the outage', () => (failed(), acknowledged.length >= before + 10), 30_000);
    recoveredMs = Date.now() - backAt;
  } finally {
    isStopped = true;
    await load;
  }
  failed();

  assert.ok(refused.length > 0, 'requests made while the database was away were refused');
  const unsaid = refused.filter((u) => !(u.retryAfter !== null && Number(u.retryAfter) > 0));
  assert.deepEqual(unsaid.map((u) => u.text), [], 'each refusal says when to retry');
  const slowestMs = Math.max(...refused.map((u) => u.ms));
  assert.ok(slowestMs < 15_000, `refusals are prompt (slowest ${slowestMs} ms), not hangs`);

  const stored = await options.owner.query<{ id: string; name: string }>('select id, name from secrets where name like $1', [`${prefix}%`]);
  const storedNames = new Set(stored.rows.map((r) => r.name));
  assert.deepEqual(acknowledged.filter((name) => !storedNames.has(name)), [], 'every acknowledged write is stored');
  const events = await options.owner.query<{ id: string }>(`select target_id as id from audit_events where action = 'secret.created' and target_id = any($1::text[])`, [stored.rows.map((r) => r.id)]);
  const withEvent = new Set(events.rows.map((r) => r.id));
  assert.deepEqual(stored.rows.filter((r) => !withEvent.has(r.id)).map((r) => r.name), [], 'every stored secret has its audit event');

  const byStatus = async () => (await options.owner.query<{ status: string; n: number }>('select status, count(*)::int as n from workflow_executions where id = any($1::uuid[]) group by status', [executions])).rows;
  await waitUntil('every acknowledged execution finished', async () => {
    const rows = await byStatus();
    return rows.length === 1 && rows[0].status === 'completed' && rows[0].n === executions.length;
  }, 60_000).catch(async (err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(await byStatus())} of ${executions.length}; ${options.diagnostics?.() ?? ''}`);
  });
  const twice = await options.owner.query<{ id: string }>(
    `select execution_id as id from workflow_step_runs where execution_id = any($1::uuid[]) and status = 'completed' group by execution_id having count(*) > 1`, [executions]);
  assert.deepEqual(twice.rows, [], 'no execution completed a step twice');
  return { acknowledged: acknowledged.length, executions: executions.length, refused: refused.length, slowestMs, recoveredMs };
}
