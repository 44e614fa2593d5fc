// The job engine (docs/adr/0010-job-engine.md): durable jobs in PostgreSQL, claimed in fair
// batches with SKIP LOCKED, woken by LISTEN/NOTIFY with a polling backstop, held by leases with
// heartbeats, retried with backoff and jitter, ordered per key, fired by cron once per tick.
//
// The worker side runs on its own small pool whose sessions are atrium_platform (the engine
// crosses workspaces by design); handlers re-enter use-cases through db.withWorkspace with the
// job's workspace.
//
// Parts: claiming, dispatch, leases and completions here (they share the in-process state of
// running jobs); timing.ts (backoff, cron), scheduling.ts (cron ticks), notifications.ts (the
// LISTEN line), metrics.ts, jobs.store.ts (the SQL).
import { toStorableText } from '../db/isolating-write.ts';
import { projectRelativeStack } from '../stack.ts';
import { inSpan, SpanKind } from '../tracing.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type client from 'prom-client';
import type { Tx, pg } from '../db/database.ts';
import { createPool } from '../db/pool.ts';
import type { Pool } from '../db/pool.ts';
import type { KernelDeps } from '../module.ts';
import type { Logger } from '../logging.ts';
import {
  CANCEL_CHANNEL, CLAIM_SQL, COMPLETE_ONE_SQL, COMPLETE_SQL, FAIL_SQL, HEARTBEAT_SQL, insertJob, insertJobs,
  JANITOR_DELETE_LANES_SQL, JANITOR_LOCK_LANES_SQL, JOBS_CHANNEL, KEY_LOCK, listJobs, PROMOTE_SQL, PRUNE_DEAD_SQL, queueStats, RELEASE_SQL, SWEEP_CANCELLED_SQL, SWEEP_SQL,
} from './jobs.store.ts';
import type { ClaimedRow, PreparedJob } from './jobs.store.ts';
import { PermanentJobError } from './jobs.types.ts';
import { createJobCounters, registerJobMetrics } from './metrics.ts';
import { createNotificationListener } from './notifications.ts';
import { deleteSchedule, fireDueSchedules, upsertSchedule } from './scheduling.ts';
import { backoffMs } from './timing.ts';

export { backoffMs, isValidCron, nextCronRun } from './timing.ts';
import type { CancelOutcome, EnqueueOptions, JobEngine, JobContext, JobStatus, QueueDefinition, ScheduleDefinition } from './jobs.types.ts';

export type JobEngineOptions = {
  /** Names this process in `locked_by` (default host:pid:random). */
  workerId?: string;
  /** Lease of a running job; heartbeats renew it every third (default 10 s: reclaimed within ~11 s of a kill). */
  leaseMs?: number;
  /** Polling backstop when no notification arrives (default 1 s). */
  pollMs?: number;
  /** Expired leases and due cron ticks are checked this often (default 1 s). */
  sweepMs?: number;
  /** Jobs claimed per statement (default 32). */
  batchSize?: number;
  /** Lanes (workspaces) a claim looks at (default 32). */
  lanesPerClaim?: number;
  /** Dead letters are kept this many days (default 14). */
  deadRetentionDays?: number;
  /** Graceful stop waits this long for running jobs, then aborts and releases them (default 10 s). */
  shutdownGraceMs?: number;
  /** Connections of the worker pool (default 8). */
  poolSize?: number;
  /** Vacuum the jobs table after this many jobs ended in this process (default 5,000). */
  vacuumEvery?: number;
};

type Queue = {
  definition: QueueDefinition<unknown>;
  concurrency: number;
  /** Claimed jobs held locally beyond the running ones (QueueDefinition.prefetch). */
  prefetch: number;
  buffer: ClaimedRow[];
  running: number;
  isClaiming: boolean;
  shouldClaimAgain: boolean;
  hasMore: boolean;
};

type Running = {
  row: ClaimedRow;
  controller: AbortController;
  isLeaseLost: boolean;
  isCancelled: boolean;
  done: Promise<void>;
};

type Completion = { id: string; attempt: number };

const QUEUE_NAME = /^[a-z][a-z0-9_.:-]{0,99}$/;

/** A job's last error, as stored (and shown to platform admins): storable text, project-relative stack. */
function errorJson(err: unknown): { message: string; stack?: string; name?: string } {
  if (err instanceof Error) return { name: toStorableText(err.name), message: toStorableText(err.message.slice(0, 2000)), stack: err.stack ? projectRelativeStack(err.stack.slice(0, 8000)) : undefined };
  return { message: toStorableText(String(err).slice(0, 2000)) };
}

/**
 * The worker's sessions: atrium_platform (the engine crosses workspaces), and commits that don't
 * wait for the WAL flush. Only the engine's bookkeeping runs here (claims, completions, retries,
 * heartbeats, sweeps): if PostgreSQL crashed and lost its last milliseconds, a finished job would
 * run again (handlers are at-least-once anyway) or a claim would be forgotten (the job is still
 * pending). Enqueues stay in the caller's transaction, durable with it.
 */
function workerPoolUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.searchParams.set('options', '-c role=atrium_platform -c synchronous_commit=off');
  return url.toString();
}

/** The same settings, transaction-local: behind a transaction pooler (which refuses `options`) each statement's transaction sets them. */
const PLATFORM_LOCAL = "select set_config('role', 'atrium_platform', true), set_config('synchronous_commit', 'off', true)";

export function createJobEngine(deps: KernelDeps, options: JobEngineOptions = {}): JobEngine & { registerMetrics(registry: client.Registry): void; ready(): Promise<void> } {
  const { db, log: parentLog } = deps;
  const log: Logger = parentLog.child({ component: 'jobs' });
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 10_000;
  const pollMs = options.pollMs ?? 1000;
  const sweepMs = options.sweepMs ?? 1000;
  const batchSize = options.batchSize ?? 32;
  const lanesPerClaim = options.lanesPerClaim ?? 32;
  const deadRetentionDays = options.deadRetentionDays ?? 14;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;

  const queues = new Map<string, Queue>();
  const running = new Map<string, Running>();
  let completions: Completion[] = [];
  let flushing: Promise<void> | undefined;
  let pool: Pool | undefined;
  let isStarted = false;
  let isStopping = false;
  const timers: NodeJS.Timeout[] = [];
  let lastJanitorAt = 0;
  let warming: Promise<void> = Promise.resolve();
  let lastVacuumAt = 0;
  let endedSinceVacuum = 0;
  let isVacuumAllowed = true;
  const vacuumEvery = options.vacuumEvery ?? 5000;

  const counters = createJobCounters();

  const isPooled = db.pooler === 'transaction';

  function workerPool(): Pool {
    if (!pool) {
      const ownerUrl = (db.owner.options as { connectionString?: string }).connectionString;
      if (!ownerUrl) throw new Error('job engine: the owner pool has no connection string');
      pool = createPool(isPooled ? ownerUrl : workerPoolUrl(ownerUrl), { max: options.poolSize ?? 8, name: 'jobs', log, pooler: db.pooler });
    }
    return pool;
  }

  /**
   * One bookkeeping statement, as atrium_platform. Behind a transaction pooler: begin, the local
   * settings, the statement and commit, sent together (one round trip, pipeline mode).
   */
  async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(query: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    if (!isPooled) return workerPool().query<R>(query as string, values);
    const c = await workerPool().connect();
    let isBroken = false;
    try {
      const sent = [c.query('begin'), c.query(PLATFORM_LOCAL), c.query<R>(query as string, values), c.query('commit')];
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) {
        await c.query('rollback').catch(() => { isBroken = true; });
        throw failed.reason;
      }
      return (settled[2] as PromiseFulfilledResult<pg.QueryResult<R>>).value;
    } finally {
      c.release(isBroken);
    }
  }

  async function inPlatformTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const c = await workerPool().connect();
    try {
      await Promise.all(isPooled ? [c.query('begin'), c.query(PLATFORM_LOCAL)] : [c.query('begin')]);
      const out = await fn(c);
      await c.query('commit');
      return out;
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  function prepare(queue: string, payload: unknown, o: EnqueueOptions = {}): PreparedJob {
    if (!QUEUE_NAME.test(queue)) throw new Error(`job engine: bad queue name "${queue}"`);
    const d = queues.get(queue)?.definition;
    return { queue, payload, options: o, maxAttempts: o.maxAttempts ?? d?.maxAttempts ?? 5, timeoutMs: o.timeoutMs ?? d?.timeoutMs ?? null };
  }

  // ---- ordering keys: the end of a head lets the next one go, under the key's lock ----
  /** The key's next job goes (made pending and announced), under the key's lock. */
  async function promoteNext(tx: Tx, lane: string, key: string): Promise<void> {
    await tx.query({ name: 'atrium_jobs_key_lock', text: `select pg_advisory_xact_lock(${KEY_LOCK})`, values: [lane, key] });
    const { rows } = await tx.query<{ queue: string }>({ name: 'atrium_jobs_promote', text: PROMOTE_SQL, values: [lane, key] });
    if (rows[0]) await tx.query('select pg_notify($1, $2)', [JOBS_CHANNEL, rows[0].queue]);
  }

  async function endKeyed(row: ClaimedRow): Promise<{ isMine: boolean; next: ClaimedRow | undefined }> {
    const handOff = isStarted && !isStopping ? [...queues.keys()] : [];
    const { rows } = await run<{ r: { mine: boolean; next: ClaimedRow | null } }>({
      name: 'atrium_jobs_end_keyed', text: 'select atrium_jobs_end_keyed($1, $2, $3, $4, $5) as r', values: [row.id, row.attempts, workerId, handOff, leaseMs / 1000],
    });
    return { isMine: rows[0].r.mine, next: rows[0].r.next ?? undefined };
  }

  // ---- claiming ----
  const capacity = (q: Queue) => q.concurrency + q.prefetch;
  const room = (q: Queue) => capacity(q) - q.running - q.buffer.length;
  const refillAt = (q: Queue) => Math.max(1, Math.ceil(capacity(q) / 2));

  function drain(q: Queue): void {
    while (q.running < q.concurrency && q.buffer.length > 0) dispatch(q, q.buffer.shift()!);
  }

  function pump(name: string): void {
    const q = queues.get(name);
    if (!q || !isStarted || isStopping) return;
    if (q.isClaiming) {
      q.shouldClaimAgain = true;
      return;
    }
    const free = room(q);
    if (free <= 0) {
      // Woken while full: claim when slots free up rather than at the next poll.
      q.hasMore = true;
      return;
    }
    q.isClaiming = true;
    q.shouldClaimAgain = false;
    const wanted = Math.min(free, Math.max(batchSize, q.prefetch));
    run<ClaimedRow>({ name: 'atrium_jobs_claim', text: CLAIM_SQL, values: [name, wanted, lanesPerClaim, workerId, leaseMs / 1000] })
      .then(({ rows }) => {
        q.hasMore = rows.length === wanted;
        q.buffer.push(...rows);
        drain(q);
      })
      .catch((err: unknown) => {
        q.hasMore = false;
        if (!isStopping) log.warn({ err, queue: name }, 'claim failed; the poll will try again');
      })
      .finally(() => {
        q.isClaiming = false;
        if (q.shouldClaimAgain || (q.hasMore && room(q) >= refillAt(q))) setImmediate(() => pump(name));
      });
  }

  function dispatch(q: Queue, row: ClaimedRow): void {
    q.running++;
    const controller = new AbortController();
    const entry: Running = { row, controller, isLeaseLost: false, isCancelled: false, done: Promise.resolve() };
    running.set(row.id, entry);
    const timeoutMs = row.timeout_ms ?? undefined;
    const jobLog = log.child({ jobId: row.id, queue: row.queue, workspaceId: row.workspace_id, attempt: row.attempts });
    const context: JobContext<unknown> = {
      id: row.id, queue: row.queue, payload: row.payload, workspaceId: row.workspace_id, actor: row.actor, attempt: row.attempts,
      maxAttempts: row.max_attempts, signal: controller.signal, log: jobLog,
    };
    entry.done = (async () => {
      let timer: NodeJS.Timeout | undefined;
      let outcome: { ok: true } | { ok: false; error: unknown };
      try {
        const aborted = new Promise<never>((_, reject) => {
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
        });
        aborted.catch(() => undefined);
        if (timeoutMs) {
          timer = setTimeout(() => controller.abort(Object.assign(new Error(`job timed out after ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
        }
        const handled = inSpan(`job ${row.queue}`, {
          'messaging.system': 'atrium-jobs', 'messaging.destination.name': row.queue, 'messaging.message.id': row.id,
          'atrium.job.attempt': row.attempts, ...(row.workspace_id ? { 'atrium.workspace.id': row.workspace_id } : {}),
        }, () => q.definition.handler(context), SpanKind.CONSUMER);
        await Promise.race([handled, aborted]);
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        if (timer) clearTimeout(timer);
      }
      try {
        await settle(entry, outcome, jobLog);
      } catch (err) {
        jobLog.error({ err }, 'could not record the end of a job; its lease will expire and it will run again');
      } finally {
        running.delete(row.id);
        q.running--;
        endedSinceVacuum++;
        drain(q);
        // With a backlog, claim again once half the room is free (batches, not a claim per
        // job). Without one, new jobs arrive by notification.
        if (q.hasMore && room(q) >= refillAt(q)) pump(row.queue);
      }
    })();
  }

  async function settle(entry: Running, outcome: { ok: true } | { ok: false; error: unknown }, jobLog: Logger): Promise<void> {
    const { row } = entry;
    if (entry.isLeaseLost) {
      counters.rejected.inc({ queue: row.queue });
      jobLog.warn('lease lost while running: result dropped (the job was or will be claimed again)');
      return;
    }
    if (isStopping && !outcome.ok && (outcome.error as Error)?.name === 'ShutdownError') {
      await run(RELEASE_SQL, [row.id, row.attempts, workerId]);
      return;
    }
    if (outcome.ok || entry.isCancelled) {
      if (row.ordering_key === null && !entry.isCancelled) {
        await complete({ id: row.id, attempt: row.attempts });
        counters.completed.inc({ queue: row.queue });
        return;
      }
      // Keyed (or cancelled) jobs end one at a time with the key's successor: a keyed completion
      // in one call (atrium_jobs_end_keyed, migration 0016), which may hand the successor to us.
      const { isMine, next } = entry.isCancelled
        ? await inPlatformTx(async (tx) => {
          const { rows } = await tx.query(COMPLETE_ONE_SQL, [row.id, row.attempts, workerId]);
          if (rows.length > 0 && row.ordering_key !== null) await promoteNext(tx, row.lane, row.ordering_key);
          return { isMine: rows.length > 0, next: undefined };
        })
        : await endKeyed(row);
      // Runs as soon as this job's slot is released (drain, in dispatch's finally).
      if (next) queues.get(next.queue)?.buffer.unshift(next);
      if (!isMine) counters.rejected.inc({ queue: row.queue });
      else if (entry.isCancelled) jobLog.info('cancelled');
      else counters.completed.inc({ queue: row.queue });
      return;
    }
    const error = outcome.error;
    const isPermanent = error instanceof PermanentJobError;
    const backoff = queues.get(row.queue)?.definition.backoff;
    const delaySeconds = backoffMs(row.attempts, backoff) / 1000;
    const result = await inPlatformTx(async (tx) => {
      const { rows } = await tx.query<{ status: string; lane: string; ordering_key: string | null }>(FAIL_SQL, [row.id, row.attempts, workerId, isPermanent, delaySeconds, JSON.stringify(errorJson(error))]);
      if (rows[0]?.status === 'dead' && rows[0].ordering_key !== null) await promoteNext(tx, rows[0].lane, rows[0].ordering_key);
      return rows[0];
    });
    if (!result) {
      counters.rejected.inc({ queue: row.queue });
      return;
    }
    counters.failed.inc({ queue: row.queue, outcome: result.status === 'dead' ? 'dead' : 'retry' });
    jobLog[result.status === 'dead' ? 'error' : 'warn']({ err: error, retryInSeconds: result.status === 'dead' ? undefined : delaySeconds }, result.status === 'dead' ? 'job failed for good (dead letter)' : 'job failed; will retry');
  }

  // Completions are grouped: while one statement is in flight, the next ones queue for the next.
  function complete(c: Completion): Promise<void> {
    completions.push(c);
    return flush();
  }

  function flush(): Promise<void> {
    if (flushing) return flushing.then(() => (completions.length ? flush() : undefined));
    const batch = completions;
    completions = [];
    flushing = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const { rows } = await run<{ id: string }>({ name: 'atrium_jobs_complete', text: COMPLETE_SQL, values: [batch.map((c) => c.id), batch.map((c) => c.attempt), workerId] });
          if (rows.length < batch.length) {
            const held = new Set(rows.map((r) => r.id));
            for (const c of batch) if (!held.has(c.id)) log.warn({ jobId: c.id }, 'completion refused: the lease had expired and the job was claimed again');
          }
          return;
        } catch (err) {
          if (attempt >= 20 || isStopping && attempt >= 3) throw err;
          log.warn({ err, jobs: batch.length }, 'recording completions failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
        }
      }
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  // ---- leases, sweeps, cron, janitor ----
  async function heartbeat(): Promise<void> {
    const buffered = [...queues.values()].flatMap((q) => q.buffer.map((r) => r.id));
    if (running.size === 0 && buffered.length === 0) return;
    const ids = [...running.keys(), ...buffered];
    const { rows } = await run<{ id: string; cancel_requested: boolean }>(HEARTBEAT_SQL, [ids, leaseMs / 1000, workerId]);
    const held = new Map(rows.map((r) => [r.id, r.cancel_requested]));
    for (const id of ids) {
      const entry = running.get(id);
      if (!entry) {
        // A claimed job still in the local buffer: gone from us → drop it; cancelled → end it.
        if (!held.has(id)) dropBuffered(id);
        else if (held.get(id)) cancelLocal(id);
        continue;
      }
      if (!held.has(id)) {
        entry.isLeaseLost = true;
        entry.controller.abort(Object.assign(new Error('lease lost'), { name: 'LeaseLostError' }));
      } else if (held.get(id)) {
        cancelLocal(id);
      }
    }
  }

  function dropBuffered(id: string): ClaimedRow | undefined {
    for (const q of queues.values()) {
      const i = q.buffer.findIndex((r) => r.id === id);
      if (i >= 0) return q.buffer.splice(i, 1)[0];
    }
    return undefined;
  }

  function cancelLocal(id: string): void {
    const waiting = running.has(id) ? undefined : dropBuffered(id);
    if (waiting) {
      // Never started: it ends here, as a cancelled job does.
      void inPlatformTx(async (tx) => {
        const { rows } = await tx.query(COMPLETE_ONE_SQL, [waiting.id, waiting.attempts, workerId]);
        if (rows.length > 0 && waiting.ordering_key !== null) await promoteNext(tx, waiting.lane, waiting.ordering_key);
      }).catch((err: unknown) => log.warn({ err, jobId: id }, 'could not end a cancelled job; its lease will expire'));
      return;
    }
    const entry = running.get(id);
    if (!entry || entry.isCancelled) return;
    entry.isCancelled = true;
    entry.controller.abort(Object.assign(new Error('job cancelled'), { name: 'CancelledError' }));
  }

  async function sweep(): Promise<void> {
    const expired = await inPlatformTx(async (tx) => {
      const gone = await tx.query<{ lane: string; ordering_key: string | null }>(SWEEP_CANCELLED_SQL);
      for (const r of gone.rows) if (r.ordering_key !== null) await promoteNext(tx, r.lane, r.ordering_key);
      const { rows } = await tx.query<{ id: string; queue: string; status: string; lane: string; ordering_key: string | null }>(SWEEP_SQL);
      for (const r of rows) if (r.status === 'dead' && r.ordering_key !== null) await promoteNext(tx, r.lane, r.ordering_key);
      return rows;
    });
    if (expired.length > 0) {
      log.warn({ jobs: expired.length }, 'reclaimed jobs whose lease expired');
      for (const q of new Set(expired.map((r) => r.queue))) {
        await run('select pg_notify($1, $2)', [JOBS_CHANNEL, q]);
      }
    }
    await fireSchedules();
    // The hot table churns (each job: insert, claim, delete): autovacuum wakes once a minute,
    // while claims walk over the dead entries of the claim index. Vacuum it ourselves when a
    // lot went through (needs the MAINTAIN privilege, PostgreSQL 17+; skipped otherwise).
    if (isVacuumAllowed && endedSinceVacuum >= vacuumEvery && Date.now() - lastVacuumAt > 2000) {
      endedSinceVacuum = 0;
      lastVacuumAt = Date.now();
      await workerPool().query('vacuum (skip_locked) jobs') /* as the owner behind a pooler: it owns the table */.catch((err: { code?: string }) => {
        if (err.code === '42501') isVacuumAllowed = false; // insufficient privilege: autovacuum only
        else throw err;
      });
    }
    if (Date.now() - lastJanitorAt > 60_000) {
      lastJanitorAt = Date.now();
      await inPlatformTx(async (tx) => {
        const { rows: locked } = await tx.query<{ queue: string; lane: string }>(JANITOR_LOCK_LANES_SQL);
        if (locked.length) await tx.query(JANITOR_DELETE_LANES_SQL, [locked.map((l) => l.queue), locked.map((l) => l.lane)]);
      });
      await run(PRUNE_DEAD_SQL, [deadRetentionDays]);
    }
  }

  async function fireSchedules(): Promise<void> {
    // One job per tick, keyed by the tick: a tick is never fired twice.
    await inPlatformTx((tx) => fireDueSchedules(tx, log, async (t) => {
      await insertJob(tx, prepare(t.queue, t.payload, { workspaceId: t.workspaceId, actor: { type: 'system', id: null }, idempotencyKey: `cron:${t.name}:${t.tick.toISOString()}` }));
    }));
  }

  function every(ms: number, what: string, fn: () => Promise<void>): void {
    let isBusy = false;
    const t = setInterval(() => {
      if (isBusy || isStopping) return;
      isBusy = true;
      fn().catch((err: unknown) => log.warn({ err }, `${what} failed`)).finally(() => { isBusy = false; });
    }, ms);
    t.unref();
    timers.push(t);
  }

  const notifications = createNotificationListener({
    url: db.directUrl,
    log, isActive: () => isStarted && !isStopping,
    onJob: (queue) => pump(queue), onCancel: (id) => cancelLocal(id),
    onListening: () => { for (const name of queues.keys()) pump(name); },
  });

  return {
    name: 'jobs',

    define(definition) {
      if (!QUEUE_NAME.test(definition.name)) throw new Error(`job engine: bad queue name "${definition.name}"`);
      if (queues.has(definition.name)) throw new Error(`job engine: queue "${definition.name}" is defined twice`);
      queues.set(definition.name, {
        definition: definition as QueueDefinition<unknown>, concurrency: definition.concurrency ?? 5, prefetch: definition.prefetch ?? 0, buffer: [], running: 0,
        isClaiming: false, shouldClaimAgain: false, hasMore: false,
      });
      if (isStarted) pump(definition.name);
    },

    async enqueue(tx, queue, payload, o = {}) {
      const { id, isNew } = await insertJob(tx, prepare(queue, payload, o));
      return { id, isNew };
    },

    async enqueueMany(tx, queue, jobs) {
      const prepared = jobs.map((j) => prepare(queue, j.payload, j.options));
      if (prepared.some((p) => p.options.orderingKey || p.options.idempotencyKey)) {
        const out = [];
        for (const p of prepared) {
          const { id, isNew } = await insertJob(tx, p);
          out.push({ id, isNew });
        }
        return out;
      }
      return insertJobs(tx, prepared);
    },

    async findJob(tx, jobId) {
      const { rows } = await tx.query<{ workspace_id: string | null; queue: string; status: JobStatus }>('select workspace_id, queue, status from jobs where id = $1', [jobId]);
      return rows[0] ? { workspaceId: rows[0].workspace_id, queue: rows[0].queue, status: rows[0].status } : null;
    },

    async cancel(tx, jobId): Promise<CancelOutcome> {
      const { rows } = await tx.query<{ status: string; lane: string; ordering_key: string | null }>(
        'select status, lane, ordering_key from jobs where id = $1 for update', [jobId],
      );
      const job = rows[0];
      if (!job) return 'not_found';
      if (job.status === 'running') {
        await tx.query('update jobs set cancel_requested = true, updated_at = now() where id = $1', [jobId]);
        await tx.query('select pg_notify($1, $2)', [CANCEL_CHANNEL, jobId]);
        return 'cancelling';
      }
      await tx.query('delete from jobs where id = $1', [jobId]);
      if (job.ordering_key !== null && job.status === 'pending') await promoteNext(tx, job.lane, job.ordering_key);
      return 'cancelled';
    },

    async retry(tx, jobId) {
      const { rows } = await tx.query<{ lane: string; ordering_key: string | null; queue: string }>("select lane, ordering_key, queue from jobs where id = $1 and status = 'dead' for update", [jobId]);
      const job = rows[0];
      if (!job) return false;
      if (job.ordering_key !== null) await tx.query({ name: 'atrium_jobs_key_lock', text: `select pg_advisory_xact_lock(${KEY_LOCK})`, values: [job.lane, job.ordering_key] });
      await tx.query(
        `update jobs set attempts = 0, run_at = now(), last_error = null, cancel_requested = false, updated_at = now(),
          status = case when ordering_key is not null and exists (
            select 1 from jobs k where k.lane = jobs.lane and k.ordering_key = jobs.ordering_key and k.id <> jobs.id and k.status in ('pending', 'running')
          ) then 'blocked' else 'pending' end
        where id = $1`, [jobId],
      );
      await tx.query('select pg_notify($1, $2)', [JOBS_CHANNEL, job.queue]);
      return true;
    },

    schedule: (tx, s: ScheduleDefinition) => upsertSchedule(tx, s),
    unschedule: (tx, name) => deleteSchedule(tx, name),

    stats: () => db.withPlatform((tx) => queueStats(tx)),
    listJobs: (filter) => db.withPlatform((tx) => listJobs(tx, filter)),

    registerMetrics(registry) {
      registerJobMetrics(registry, counters, () => db.withPlatform((tx) => queueStats(tx)));
    },

    start() {
      if (isStarted) return;
      isStarted = true;
      isStopping = false;
      // Open the worker pool's connections now (a connection costs a SCRAM handshake: the first
      // completions would otherwise wait for it), and listen; ready() resolves when both are done.
      const size = options.poolSize ?? 8;
      warming = Promise.all([
        notifications.start(),
        Promise.all(Array.from({ length: size }, () => workerPool().connect())).then((clients) => { for (const c of clients) c.release(); }),
      ]).then(() => undefined, (err: unknown) => log.warn({ err }, 'job engine warm-up failed; connections open on demand'));
      every(pollMs, 'job poll', async () => { for (const name of queues.keys()) pump(name); });
      every(Math.max(200, Math.floor(leaseMs / 3)), 'job heartbeat', heartbeat);
      every(sweepMs, 'job sweep', sweep);
      log.info({ workerId, queues: [...queues.keys()] }, 'job engine started');
    },

    /** Resolves once a started engine has its connections open and listens for notifications. */
    ready: () => warming,

    async stop() {
      if (!isStarted) {
        if (pool) await pool.end().catch(() => undefined);
        pool = undefined;
        return;
      }
      isStopping = true;
      for (const t of timers.splice(0)) clearInterval(t);
      // Claimed but never started: back to the queue, attempt not counted.
      const waiting = [...queues.values()].flatMap((q) => q.buffer.splice(0));
      await Promise.allSettled(waiting.map((r) => run(RELEASE_SQL, [r.id, r.attempts, workerId])));
      const all = () => Promise.allSettled([...running.values()].map((r) => r.done));
      const graceful = await Promise.race([all().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), shutdownGraceMs).unref())]);
      if (!graceful) {
        for (const r of running.values()) r.controller.abort(Object.assign(new Error('worker shutting down'), { name: 'ShutdownError' }));
        await all();
      }
      if (completions.length || flushing) await flush().catch((err: unknown) => log.warn({ err }, 'completions not recorded at shutdown; the jobs will run again'));
      isStarted = false;
      await notifications.stop();
      if (pool) await pool.end().catch(() => undefined);
      pool = undefined;
      log.info({ workerId }, 'job engine stopped');
    },
  };
}
