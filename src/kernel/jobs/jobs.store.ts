// The engine's SQL (migrations/0010_jobs.sql). Enqueue, cancel, retry and schedule run in the
// caller's transaction; the worker's statements run on the engine's own pool as atrium_platform.
import type { Tx } from '../db/database.ts';
import type { EnqueueOptions, JobActor, JobStatus, JobSummary, QueueStats } from './jobs.types.ts';

export const NIL_LANE = '00000000-0000-0000-0000-000000000000';
export const JOBS_CHANNEL = 'atrium_jobs';
export const CANCEL_CHANNEL = 'atrium_jobs_cancel';

/** Enqueuers hold the lane shared; the janitor deletes an idle lane only holding it exclusively. */
export const LANE_LOCK = 'hashtextextended($1 || \':\' || $2::text, 7215010)';
/** Enqueue, end and cancel of one ordering key serialise here (keys are scoped to the lane). */
export const KEY_LOCK = 'hashtextextended($1::text || \':\' || $2, 7215011)';

export type ClaimedRow = {
  id: string; queue: string; workspace_id: string | null; lane: string; payload: unknown; actor: JobActor | null;
  attempts: number; max_attempts: number; timeout_ms: number | null; ordering_key: string | null; seq: number;
};

export type PreparedJob = {
  queue: string; payload: unknown; options: EnqueueOptions; maxAttempts: number; timeoutMs: number | null;
};

function laneOf(workspaceId: string | null | undefined): string {
  return workspaceId ?? NIL_LANE;
}

/** One job, in the caller's transaction. Lock, lane, job and wake-up leave in one pipelined batch. */
export async function insertJob(tx: Tx, job: PreparedJob): Promise<{ id: string; isNew: boolean; status: string }> {
  const o = job.options;
  const workspaceId = o.workspaceId ?? null;
  const lane = laneOf(workspaceId);
  const key = o.orderingKey ?? null;
  const runAt = o.runAt ?? null;
  const statements: Array<Promise<unknown>> = [
    tx.query({ name: 'atrium_jobs_lane_lock', text: `select pg_advisory_xact_lock_shared(${LANE_LOCK})`, values: [job.queue, lane] }),
  ];
  if (key !== null) statements.push(tx.query({ name: 'atrium_jobs_key_lock', text: `select pg_advisory_xact_lock(${KEY_LOCK})`, values: [lane, key] }));
  const inserted = tx.query<{ id: string; status: string; is_new: boolean }>({
    name: 'atrium_jobs_insert',
    text: `with lane as (
        insert into job_lanes (queue, lane, workspace_id) values ($1, $2, $3) on conflict (queue, lane) do nothing
      ), ins as (
        insert into jobs (workspace_id, queue, payload, actor, status, priority, run_at, max_attempts, timeout_ms, ordering_key, idempotency_key)
        values ($3, $1, $4, $5,
          case when $10::text is not null and exists (
            select 1 from jobs k where k.lane = $2 and k.ordering_key = $10 and k.status in ('pending', 'running', 'blocked')
          ) then 'blocked' else 'pending' end,
          $6, coalesce($7::timestamptz, now()), $8, $9, $10, $11)
        on conflict (queue, idempotency_key) where idempotency_key is not null do nothing
        returning id, status
      )
      select id, status, true as is_new from ins
      union all
      select id, status, false from jobs where $11::text is not null and queue = $1 and idempotency_key = $11 and not exists (select 1 from ins)`,
    values: [job.queue, lane, workspaceId, JSON.stringify(job.payload ?? {}), o.actor ? JSON.stringify(o.actor) : null, o.priority ?? 0, runAt, job.maxAttempts, job.timeoutMs, key, o.idempotencyKey ?? null],
  });
  statements.push(inserted);
  // Delivered at commit (and only then): workers listening for this queue claim at once.
  const isDue = runAt === null || runAt.getTime() <= Date.now();
  if (isDue) statements.push(tx.query({ name: 'atrium_jobs_notify', text: 'select pg_notify($1, $2)', values: [JOBS_CHANNEL, job.queue] }));
  await Promise.all(statements);
  const { rows } = await inserted;
  if (rows.length === 0) throw new Error('job engine: the job holding this idempotency key is not visible yet (a concurrent transaction); retry');
  return { id: rows[0].id, isNew: rows[0].is_new, status: rows[0].status };
}

/** Many jobs without ordering or idempotency keys in one statement (bulk enqueue). */
export async function insertJobs(tx: Tx, jobs: PreparedJob[]): Promise<Array<{ id: string; isNew: boolean }>> {
  if (jobs.length === 0) return [];
  const lanes = new Map<string, { queue: string; lane: string; workspaceId: string | null }>();
  for (const j of jobs) {
    const workspaceId = j.options.workspaceId ?? null;
    lanes.set(`${j.queue}:${laneOf(workspaceId)}`, { queue: j.queue, lane: laneOf(workspaceId), workspaceId });
  }
  const laneList = [...lanes.values()];
  const locks = laneList.map((l) => tx.query({ name: 'atrium_jobs_lane_lock', text: `select pg_advisory_xact_lock_shared(${LANE_LOCK})`, values: [l.queue, l.lane] }));
  const col = <T>(f: (j: PreparedJob) => T) => jobs.map(f);
  const inserted = tx.query<{ id: string }>({
    text: `with lane as (
        insert into job_lanes (queue, lane, workspace_id)
        select * from unnest($1::text[], $2::uuid[], $3::uuid[]) on conflict (queue, lane) do nothing
      )
      insert into jobs (workspace_id, queue, payload, actor, priority, run_at, max_attempts, timeout_ms)
      select j.workspace_id, j.queue, j.payload, j.actor, j.priority, coalesce(j.run_at, now()), j.max_attempts, j.timeout_ms
      from unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8::int[], $9::timestamptz[], $10::int[], $11::int[])
        with ordinality as j(workspace_id, queue, payload, actor, priority, run_at, max_attempts, timeout_ms, ord)
      order by j.ord
      returning id`,
    values: [
      laneList.map((l) => l.queue), laneList.map((l) => l.lane), laneList.map((l) => l.workspaceId),
      col((j) => j.options.workspaceId ?? null), col((j) => j.queue), col((j) => JSON.stringify(j.payload ?? {})),
      col((j) => (j.options.actor ? JSON.stringify(j.options.actor) : null)), col((j) => j.options.priority ?? 0),
      col((j) => j.options.runAt ?? null), col((j) => j.maxAttempts), col((j) => j.timeoutMs),
    ],
  });
  const queues = [...new Set(jobs.map((j) => j.queue))];
  const notifies = queues.map((q) => tx.query({ name: 'atrium_jobs_notify', text: 'select pg_notify($1, $2)', values: [JOBS_CHANNEL, q] }));
  await Promise.all([...locks, inserted, ...notifies]);
  // Ids come back in insertion order (the select is ordered by input position).
  const { rows } = await inserted;
  return rows.map((r) => ({ id: r.id, isNew: true }));
}

/**
 * A batch for one queue, fairly: the lanes (workspaces) with due work that were served longest
 * ago, each contributing its heads in priority order, interleaved (every lane's first job, then
 * every lane's second…). The picked lanes move to the back.
 */
export const CLAIM_SQL = `with lanes as (
    select l.queue, l.lane from job_lanes l
    -- A probe of the claim index per lane, in served order (a scalar subquery in the index's
    -- order: never a semi-join or a seq scan over the whole table, which a 100k backlog made
    -- a 15 ms scan per claim).
    where l.queue = $1 and (
      select true from jobs r where r.queue = l.queue and r.lane = l.lane and r.status = 'pending' and r.run_at <= now()
      order by r.priority desc, r.run_at, r.seq limit 1)
    order by l.served_at
    limit $3
    for no key update skip locked
  ), candidates as (
    select c.id, c.priority, c.seq, row_number() over (partition by c.lane order by c.priority desc, c.run_at, c.seq) as rank
    from lanes l cross join lateral (
      select j.id, j.lane, j.priority, j.run_at, j.seq from jobs j
      where j.queue = l.queue and j.lane = l.lane and j.status = 'pending' and j.run_at <= now()
      order by j.priority desc, j.run_at, j.seq
      limit $2
      for update skip locked
    ) c
  ), picked as (
    select id from candidates order by rank, priority desc, seq limit $2
  ), served as (
    update job_lanes s set served_at = clock_timestamp() from lanes where s.queue = lanes.queue and s.lane = lanes.lane
  )
  update jobs j set status = 'running', attempts = j.attempts + 1, locked_by = $4,
    lease_until = now() + make_interval(secs => $5), updated_at = now()
  from picked where j.id = picked.id
  returning j.id, j.queue, j.workspace_id, j.lane, j.payload, j.actor, j.attempts, j.max_attempts, j.timeout_ms, j.ordering_key, j.seq`;

/** Completions of jobs without an ordering key, batched. Returns the ids this worker still held. */
export const COMPLETE_SQL = `delete from jobs j using unnest($1::uuid[], $2::int[]) as d(id, attempt)
  where j.id = d.id and j.attempts = d.attempt and j.locked_by = $3 and j.status = 'running'
  returning j.id`;

export const FAIL_SQL = `update jobs set
    status = case when $4::boolean or attempts >= max_attempts then 'dead' else 'pending' end,
    run_at = now() + make_interval(secs => $5::double precision),
    locked_by = null, lease_until = null, last_error = $6::jsonb, updated_at = now()
  where id = $1 and attempts = $2 and locked_by = $3 and status = 'running'
  returning status, lane, ordering_key, queue`;

/** A job given back without counting the attempt (graceful shutdown). */
export const RELEASE_SQL = `update jobs set status = 'pending', attempts = attempts - 1, locked_by = null, lease_until = null, updated_at = now()
  where id = $1 and attempts = $2 and locked_by = $3 and status = 'running'
  returning id`;

export const HEARTBEAT_SQL = `update jobs set lease_until = now() + make_interval(secs => $2)
  where id = any($1::uuid[]) and locked_by = $3 and status = 'running'
  returning id, cancel_requested`;

/** A running job whose cancellation was asked and whose worker vanished is simply removed. */
export const SWEEP_CANCELLED_SQL = `delete from jobs where status = 'running' and lease_until < now() and cancel_requested
  returning id, lane, ordering_key`;

export const SWEEP_SQL = `with expired as (
    select id from jobs where status = 'running' and lease_until < now() order by lease_until limit 500 for update skip locked
  )
  update jobs j set status = case when j.attempts >= j.max_attempts then 'dead' else 'pending' end,
    locked_by = null, lease_until = null, run_at = now(), updated_at = now(),
    last_error = jsonb_build_object('message', 'lease expired: the worker stopped heartbeating (killed, stalled or disconnected)')
  from expired where j.id = expired.id
  returning j.id, j.queue, j.status, j.lane, j.ordering_key`;

/** The next job of a key, once no live head remains (its run-at kept: a delayed one waits). Run under the key's lock. */
export const PROMOTE_SQL = `update jobs set status = 'pending', updated_at = now()
  where id = (select b.id from jobs b where b.lane = $1 and b.ordering_key = $2 and b.status = 'blocked' order by b.seq limit 1)
    and not exists (select 1 from jobs h where h.lane = $1 and h.ordering_key = $2 and h.status in ('pending', 'running'))
  returning queue`;

export const COMPLETE_ONE_SQL = `delete from jobs where id = $1 and attempts = $2 and locked_by = $3 and status = 'running' returning id`;

/**
 * Idle lanes (no job at all) are removed in two statements of one transaction: first take the
 * lane lock exclusively (an enqueue holds it shared until it commits; a lane being enqueued into
 * is skipped), then, in a snapshot taken after the lock, delete the lane if it still has no job
 * of any status.
 */
export const JANITOR_LOCK_LANES_SQL = `select l.queue, l.lane from job_lanes l
  where l.created_at < now() - interval '1 minute'
    and not exists (select 1 from jobs j where j.queue = l.queue and j.lane = l.lane)
    and pg_try_advisory_xact_lock(hashtextextended(l.queue || ':' || l.lane::text, 7215010))
  limit 500`;

export const JANITOR_DELETE_LANES_SQL = `delete from job_lanes l using unnest($1::text[], $2::uuid[]) as d(queue, lane)
  where l.queue = d.queue and l.lane = d.lane
    and not exists (select 1 from jobs j where j.queue = l.queue and j.lane = l.lane)`;

export const PRUNE_DEAD_SQL = `delete from jobs where id in (
  select id from jobs where status = 'dead' and updated_at < now() - make_interval(days => $1) limit 1000)`;

export const DUE_SCHEDULES_SQL = `select name, cron, timezone, queue, payload, workspace_id, next_run_at from job_schedules
  where is_enabled and next_run_at <= now() order by next_run_at limit 50 for update skip locked`;

export async function queueStats(tx: Tx): Promise<QueueStats[]> {
  const { rows } = await tx.query<{ queue: string; pending: number; blocked: number; running: number; dead: number; oldest: number | null }>(
    `select queue,
        count(*) filter (where status = 'pending')::int as pending,
        count(*) filter (where status = 'blocked')::int as blocked,
        count(*) filter (where status = 'running')::int as running,
        count(*) filter (where status = 'dead')::int as dead,
        extract(epoch from now() - min(run_at) filter (where status = 'pending' and run_at <= now()))::float8 as oldest
      from jobs group by queue order by queue`,
  );
  return rows.map((r) => ({ queue: r.queue, pending: r.pending, blocked: r.blocked, running: r.running, dead: r.dead, oldestPendingSeconds: Math.max(0, r.oldest ?? 0) }));
}

type JobRow = {
  id: string; queue: string; workspace_id: string | null; status: JobStatus; priority: number; run_at: Date; attempts: number;
  max_attempts: number; ordering_key: string | null; last_error: JobSummary['lastError']; created_at: Date; updated_at: Date;
};

export async function listJobs(tx: Tx, filter: { status?: JobStatus; queue?: string; workspaceId?: string; limit?: number }): Promise<JobSummary[]> {
  const { rows } = await tx.query<JobRow>(
    `select id, queue, workspace_id, status, priority, run_at, attempts, max_attempts, ordering_key, last_error, created_at, updated_at
      from jobs
      where ($1::text is null or status = $1) and ($2::text is null or queue = $2) and ($3::uuid is null or workspace_id = $3)
      order by updated_at desc, id desc limit $4`,
    [filter.status ?? null, filter.queue ?? null, filter.workspaceId ?? null, Math.min(Math.max(filter.limit ?? 50, 1), 500)],
  );
  return rows.map((r) => ({
    id: r.id, queue: r.queue, workspaceId: r.workspace_id, status: r.status, priority: r.priority, runAt: r.run_at.toISOString(),
    attempts: r.attempts, maxAttempts: r.max_attempts, orderingKey: r.ordering_key, lastError: r.last_error,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  }));
}
