// The job engine against the real embedded PostgreSQL: transactional enqueue, retries, dead
// letters, timeouts, cancellation, priorities, run-at, ordering keys, fair sharing, leases,
// cron, idempotency and tenant isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createLogger } from '../logging.ts';
import { createJobEngine, PermanentJobError } from './index.ts';
import { waitUntil as until } from '../../../test/helpers/wait.ts';
import type { JobEngine } from './index.ts';

let platform: TestPlatform;
let wsA: string;
let wsB: string;
const engines: JobEngine[] = [];

function engine(options: Parameters<typeof createJobEngine>[1] = {}): ReturnType<typeof createJobEngine> {
  const e = createJobEngine({ config: platform.config, db: platform.db, log: createLogger('silent') }, { pollMs: 100, sweepMs: 200, ...options });
  engines.push(e);
  return e;
}

const countJobs = (queue: string) => platform.db.withPlatform(async (tx) => Number((await tx.query('select count(*) as n from jobs where queue = $1', [queue])).rows[0].n));

before(async () => {
  platform = await startTestPlatform();
  [wsA, wsB] = await platform.db.withPlatform(async (tx) => [
    (await platform.tenancy.createWorkspace(tx, { name: 'Jobs A' })).id,
    (await platform.tenancy.createWorkspace(tx, { name: 'Jobs B' })).id,
  ]);
});

after(async () => {
  for (const e of engines) await e.stop();
  await platform.stop();
});

describe('job engine', () => {
  test('a job exists only if the enqueuing transaction commits, and runs in its workspace', async () => {
    const e = engine();
    const seen: Array<{ payload: unknown; workspaceId: string | null; actor: unknown }> = [];
    e.define<{ n: number }>({ name: 'test.commit', handler: async (job) => { seen.push({ payload: job.payload, workspaceId: job.workspaceId, actor: job.actor }); } });
    await assert.rejects(platform.db.withWorkspace(wsA, async (tx) => {
      await e.enqueue(tx, 'test.commit', { n: 1 }, { workspaceId: wsA });
      throw new Error('roll back');
    }));
    await platform.db.withWorkspace(wsA, (tx) => e.enqueue(tx, 'test.commit', { n: 2 }, { workspaceId: wsA, actor: { type: 'user', id: wsA } }));
    e.start();
    await until('the committed job', () => seen.length === 1 && countJobs('test.commit').then((n) => n === 0));
    assert.deepEqual(seen, [{ payload: { n: 2 }, workspaceId: wsA, actor: { type: 'user', id: wsA } }]);
    await e.stop();
  });

  test('a tenant transaction enqueues only for its own workspace and cannot cancel another workspace\'s job', async () => {
    const e = engine();
    e.define({ name: 'test.tenant', handler: async () => {} });
    await assert.rejects(platform.db.withWorkspace(wsB, (tx) => e.enqueue(tx, 'test.tenant', {}, { workspaceId: wsA })), /row-level security/);
    const { id } = await platform.db.withWorkspace(wsA, (tx) => e.enqueue(tx, 'test.tenant', {}, { workspaceId: wsA }));
    assert.equal(await platform.db.withWorkspace(wsB, (tx) => e.cancel(tx, id)), 'not_found');
    const visibleToB = await platform.db.withWorkspace(wsB, async (tx) => (await tx.query('select count(*)::int as n from jobs')).rows[0].n);
    assert.equal(visibleToB, 0);
    assert.equal(await platform.db.withWorkspace(wsA, (tx) => e.cancel(tx, id)), 'cancelled');
    assert.equal(await countJobs('test.tenant'), 0);
  });

  test('retries with backoff until success; a job out of attempts becomes a dead letter, which can be retried', async () => {
    const e = engine();
    const attempts = new Map<string, number[]>();
    let isFixed = false;
    e.define<{ key: string; failTimes: number }>({
      name: 'test.retry', backoff: { baseMs: 10, maxMs: 50 },
      handler: async (job) => {
        const list = attempts.get(job.payload.key) ?? [];
        list.push(job.attempt);
        attempts.set(job.payload.key, list);
        if (job.attempt <= job.payload.failTimes && !isFixed) throw new Error(`boom ${job.attempt}`);
      },
    });
    const dead = await platform.db.withWorkspace(wsA, async (tx) => {
      await e.enqueue(tx, 'test.retry', { key: 'flaky', failTimes: 2 }, { workspaceId: wsA, maxAttempts: 5 });
      return e.enqueue(tx, 'test.retry', { key: 'broken', failTimes: 99 }, { workspaceId: wsA, maxAttempts: 3 });
    });
    e.start();
    await until('the flaky job to succeed', () => attempts.get('flaky')?.length === 3);
    assert.deepEqual(attempts.get('flaky'), [1, 2, 3]);
    const letter = await until('the dead letter', async () => (await e.listJobs({ status: 'dead', queue: 'test.retry' })).find((j) => j.id === dead.id));
    assert.equal(letter.attempts, 3);
    assert.match(letter.lastError?.message ?? '', /boom 3/);
    assert.equal((await e.stats()).find((s) => s.queue === 'test.retry')?.dead, 1);
    isFixed = true;
    assert.equal(await platform.db.withPlatform((tx) => e.retry(tx, dead.id)), true);
    await until('the retried letter to run', () => countJobs('test.retry').then((n) => n === 0));
    assert.deepEqual(attempts.get('broken'), [1, 2, 3, 1]);
  });

  test('a PermanentJobError is not retried; a timeout fails the attempt', async () => {
    const e = engine();
    const runs: string[] = [];
    e.define<{ kind: string }>({
      name: 'test.permanent', maxAttempts: 5, backoff: { baseMs: 5, maxMs: 5 }, timeoutMs: 100,
      handler: async (job) => {
        runs.push(`${job.payload.kind}:${job.attempt}`);
        if (job.payload.kind === 'permanent') throw new PermanentJobError('bad input');
        await new Promise((r) => setTimeout(r, 2000));
      },
    });
    await platform.db.withPlatform(async (tx) => {
      await e.enqueue(tx, 'test.permanent', { kind: 'permanent' });
      await e.enqueue(tx, 'test.permanent', { kind: 'slow' }, { maxAttempts: 2 });
    });
    e.start();
    const dead = await until('both dead', async () => {
      const d = await e.listJobs({ status: 'dead', queue: 'test.permanent' });
      return d.length === 2 && d;
    });
    assert.deepEqual(runs.filter((r) => r.startsWith('permanent')), ['permanent:1']);
    assert.deepEqual(runs.filter((r) => r.startsWith('slow')), ['slow:1', 'slow:2']);
    assert.ok(dead.some((d) => /timed out after 100 ms/.test(d.lastError?.message ?? '')));
  });

  test('cancelling a running job aborts its signal and removes it', async () => {
    const e = engine();
    let started = false;
    let abortedWith = '';
    e.define({
      name: 'test.cancel',
      handler: (job) => new Promise((_, reject) => {
        started = true;
        job.signal.addEventListener('abort', () => { abortedWith = (job.signal.reason as Error).name; reject(job.signal.reason); });
      }),
    });
    const { id } = await platform.db.withWorkspace(wsA, (tx) => e.enqueue(tx, 'test.cancel', {}, { workspaceId: wsA }));
    e.start();
    await until('the job to start', () => started);
    assert.equal(await platform.db.withWorkspace(wsA, (tx) => e.cancel(tx, id)), 'cancelling');
    await until('the job to be gone', () => countJobs('test.cancel').then((n) => n === 0));
    assert.equal(abortedWith, 'CancelledError');
  });

  test('priorities and run-at: the higher priority runs first, a future job waits', async () => {
    const e = engine();
    const order: string[] = [];
    e.define<{ name: string }>({ name: 'test.priority', concurrency: 1, handler: async (job) => { order.push(job.payload.name); } });
    const later = new Date(Date.now() + 1500);
    await platform.db.withWorkspace(wsA, async (tx) => {
      await e.enqueue(tx, 'test.priority', { name: 'low' }, { workspaceId: wsA, priority: 0 });
      await e.enqueue(tx, 'test.priority', { name: 'future' }, { workspaceId: wsA, priority: 100, runAt: later });
      await e.enqueue(tx, 'test.priority', { name: 'high' }, { workspaceId: wsA, priority: 10 });
    });
    e.start();
    await until('the due jobs', () => order.length === 2);
    assert.deepEqual(order, ['high', 'low']);
    await until('the future job', () => order.length === 3);
    assert.ok(Date.now() >= later.getTime());
  });

  test('ordering keys: one running job per key, in enqueue order, the next right after', async () => {
    const e = engine();
    const active = new Map<string, number>();
    let overlaps = 0;
    const seen = new Map<string, number[]>();
    e.define<{ key: string; n: number }>({
      name: 'test.ordered', concurrency: 8,
      handler: async (job) => {
        const now = (active.get(job.payload.key) ?? 0) + 1;
        active.set(job.payload.key, now);
        if (now > 1) overlaps++;
        await new Promise((r) => setTimeout(r, 5));
        seen.set(job.payload.key, [...(seen.get(job.payload.key) ?? []), job.payload.n]);
        active.set(job.payload.key, now - 1);
      },
    });
    await platform.db.withWorkspace(wsA, async (tx) => {
      for (let n = 0; n < 10; n++) for (const key of ['k1', 'k2', 'k3']) await e.enqueue(tx, 'test.ordered', { key, n }, { workspaceId: wsA, orderingKey: key });
    });
    // The same key in another workspace is another key.
    await platform.db.withWorkspace(wsB, (tx) => e.enqueue(tx, 'test.ordered', { key: 'b-k1', n: 0 }, { workspaceId: wsB, orderingKey: 'k1' }));
    const statuses = await platform.db.withPlatform(async (tx) => (await tx.query<{ status: string; n: number }>("select status, count(*)::int as n from jobs where queue = 'test.ordered' group by status order by status")).rows);
    assert.deepEqual(statuses, [{ status: 'blocked', n: 27 }, { status: 'pending', n: 4 }]);
    e.start();
    await until('every keyed job', () => countJobs('test.ordered').then((n) => n === 0));
    assert.equal(overlaps, 0);
    for (const key of ['k1', 'k2', 'k3']) assert.deepEqual(seen.get(key), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(seen.get('b-k1'), [0]);
  });

  test('ordering keys keep enqueue order even within one millisecond; prefetching queues run each job once', async () => {
    const e = engine();
    const order: number[] = [];
    e.define<{ n: number }>({ name: 'test.same-ms', concurrency: 4, handler: async (job) => { order.push(job.payload.n); } });
    const ran = new Map<number, number>();
    e.define<{ n: number }>({ name: 'test.prefetch', concurrency: 4, prefetch: 32, handler: async (job) => { ran.set(job.payload.n, (ran.get(job.payload.n) ?? 0) + 1); } });
    await platform.db.withWorkspace(wsA, async (tx) => {
      // Pipelined: many land in the same millisecond, where uuidv7 ids are not ordered.
      await Promise.all(Array.from({ length: 60 }, (_, n) => e.enqueue(tx, 'test.same-ms', { n }, { workspaceId: wsA, orderingKey: 'one' })));
      await e.enqueueMany(tx, 'test.prefetch', Array.from({ length: 500 }, (_, n) => ({ payload: { n }, options: { workspaceId: wsA } })));
    });
    e.start();
    await until('both queues', async () => order.length === 60 && ran.size === 500 && (await countJobs('test.prefetch')) === 0);
    assert.deepEqual(order, Array.from({ length: 60 }, (_, n) => n));
    assert.ok([...ran.values()].every((n) => n === 1));
  });

  test('a keyed successor scheduled for later waits for its time after its predecessor ends', async () => {
    const e = engine();
    const started: Array<[string, number]> = [];
    e.define<{ name: string }>({ name: 'test.keyed-later', handler: async (job) => { started.push([job.payload.name, Date.now()]); } });
    const later = Date.now() + 1500;
    await platform.db.withWorkspace(wsA, async (tx) => {
      await e.enqueue(tx, 'test.keyed-later', { name: 'first' }, { workspaceId: wsA, orderingKey: 'later' });
      await e.enqueue(tx, 'test.keyed-later', { name: 'second' }, { workspaceId: wsA, orderingKey: 'later', runAt: new Date(later) });
    });
    e.start();
    await until('both', () => started.length === 2);
    assert.deepEqual(started.map(([n]) => n), ['first', 'second']);
    assert.ok(started[1][1] >= later, 'the successor ran before its run-at');
  });

  test('fair sharing: a workspace with a large backlog does not delay another workspace', async () => {
    const e = engine({ batchSize: 16 });
    const done: string[] = [];
    e.define<{ ws: string }>({ name: 'test.fair', concurrency: 4, handler: async (job) => { done.push(job.payload.ws); } });
    await platform.db.withWorkspace(wsA, (tx) => e.enqueueMany(tx, 'test.fair', Array.from({ length: 3000 }, () => ({ payload: { ws: 'A' }, options: { workspaceId: wsA } }))));
    e.start();
    await until('A to be under way', () => done.length > 50);
    await platform.db.withWorkspace(wsB, (tx) => e.enqueueMany(tx, 'test.fair', Array.from({ length: 5 }, () => ({ payload: { ws: 'B' }, options: { workspaceId: wsB } }))));
    await until('B\'s jobs', () => done.filter((w) => w === 'B').length === 5);
    const aDoneWhenBFinished = done.filter((w) => w === 'A').length;
    // B's five jobs were served within a few claims of arriving, not after A's backlog.
    assert.ok(aDoneWhenBFinished < 1000, `A had run ${aDoneWhenBFinished} jobs before B's 5 finished`);
    await until('A\'s backlog', () => done.length === 3005, 60_000);
  });

  test('a lease that expires is reclaimed by another worker, and the first worker\'s completion is refused', async () => {
    const first = engine({ leaseMs: 60_000, workerId: 'first' });
    const second = engine({ leaseMs: 60_000, workerId: 'second' });
    let releaseFirst: () => void = () => {};
    let releaseSecond: () => void = () => {};
    const holdFirst = new Promise<void>((r) => { releaseFirst = r; });
    const holdSecond = new Promise<void>((r) => { releaseSecond = r; });
    const ranOn: string[] = [];
    first.define({ name: 'test.lease', concurrency: 1, handler: async () => { ranOn.push('first'); await holdFirst; } });
    second.define({ name: 'test.lease', handler: async () => { ranOn.push('second'); await holdSecond; } });
    const { id } = await platform.db.withPlatform((tx) => first.enqueue(tx, 'test.lease', {}));
    const owner = () => platform.db.withPlatform(async (tx) => (await tx.query<{ locked_by: string; attempts: number }>('select locked_by, attempts from jobs where id = $1', [id])).rows[0]);
    first.start();
    await until('the first worker to run it', () => ranOn.length === 1);
    // The first worker stalls past its lease (as if partitioned): expire it; the second sweeps and claims.
    await platform.db.withPlatform((tx) => tx.query("update jobs set lease_until = now() - interval '1 second' where id = $1", [id]));
    second.start();
    await until('the second worker to run it', () => ranOn.length === 2);
    // The first one finishes now: its completion names attempt 1, the job is at attempt 2.
    releaseFirst();
    await first.stop();
    assert.deepEqual(await owner(), { locked_by: 'second', attempts: 2 });
    releaseSecond();
    await until('the second worker to complete it', () => countJobs('test.lease').then((n) => n === 0));
    assert.deepEqual(ranOn, ['first', 'second']);
  });

  test('cron: each tick fires once however many workers run', async () => {
    const workers = [engine(), engine(), engine()];
    const fired: string[] = [];
    for (const w of workers) w.define({ name: 'test.cron', handler: async (job) => { fired.push(`${job.id}`); } });
    await platform.db.withPlatform((tx) => workers[0].schedule(tx, { name: 'test.every-second', cron: '* * * * * *', queue: 'test.cron', payload: { x: 1 } }));
    for (const w of workers) w.start();
    await until('three ticks', () => fired.length >= 3);
    await platform.db.withPlatform((tx) => workers[0].unschedule(tx, 'test.every-second'));
    const ticks = await platform.db.withPlatform(async (tx) => (await tx.query<{ last_run_at: Date | null }>("select last_run_at from job_schedules where name = 'test.every-second'")).rows);
    assert.deepEqual(ticks, []);
    // One job per tick: the handler saw distinct jobs, and no two in the same second.
    assert.equal(new Set(fired).size, fired.length);
    for (const w of workers) await w.stop();
  });

  test('the janitor removes idle lanes and keeps a lane that still holds a job', async () => {
    const e = engine();
    e.define({ name: 'test.janitor', handler: async () => {} });
    await platform.db.withWorkspace(wsB, (tx) => e.enqueue(tx, 'test.janitor', {}, { workspaceId: wsB, runAt: new Date(Date.now() + 3600_000) }));
    await platform.db.withPlatform(async (tx) => {
      await tx.query(`insert into job_lanes (queue, lane, workspace_id) values ('test.janitor', $1, $1)`, [wsA]);
      await tx.query(`update job_lanes set created_at = now() - interval '2 minutes' where queue = 'test.janitor'`);
    });
    const lanes = () => platform.db.withPlatform(async (tx) => (await tx.query<{ lane: string }>(`select lane from job_lanes where queue = 'test.janitor' order by lane`)).rows.map((r) => r.lane));
    assert.deepEqual(await lanes(), [wsA, wsB].sort());
    e.start(); // the first sweep runs the janitor
    await until('the idle lane to go', async () => (await lanes()).length === 1);
    assert.deepEqual(await lanes(), [wsB]);
  });

  test('an idempotency key returns the live job instead of a second one', async () => {
    const e = engine();
    e.define({ name: 'test.idem', handler: async () => {} });
    const [a, b] = await platform.db.withWorkspace(wsA, async (tx) => [
      await e.enqueue(tx, 'test.idem', { n: 1 }, { workspaceId: wsA, idempotencyKey: 'once' }),
      await e.enqueue(tx, 'test.idem', { n: 2 }, { workspaceId: wsA, idempotencyKey: 'once' }),
    ]);
    assert.equal(a.id, b.id);
    assert.equal(a.isNew, true);
    assert.equal(b.isNew, false);
    assert.equal(await countJobs('test.idem'), 1);
  });
});
