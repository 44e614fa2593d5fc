// The platform dashboard's reads, across workspaces (platform path only). Like admin.store.ts
// for identity, these read other modules' tables for reports: api_logs (apilogs),
// workflow_executions and workflows (workflows), audit_events (audit), and this module's own
// health_samples (migrations/0014_api_logs.sql). Every query is bounded by time and served by an
// index (BRIN on created_at/occurred_at, the partial indexes of 0014, the (workspace_id, …) keys).
import type { Tx } from '../../kernel/db/database.ts';

const num = (v: string | number | null | undefined): number => (v === null || v === undefined ? 0 : Number(v));

/** The smallest UUIDv7 of a millisecond: every id minted at or after `at` sorts at or after it. */
export function uuidv7LowerBound(at: Date): string {
  const hex = Math.max(0, Math.floor(at.getTime())).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

export type HealthWindow = { firstMinute: Date | null; ok: number; sampled: number; hasCurrent: boolean };

/** Samples of [fromMinute, nowMinute], and the first sample ever (when tracking began). */
export async function selectHealthWindow(tx: Tx, fromMinute: Date, nowMinute: Date): Promise<HealthWindow> {
  const { rows } = await tx.query<{ first_minute: Date | null; ok: number; sampled: number; has_current: boolean | null }>(
    `select (select min(minute) from health_samples) as first_minute,
            count(*) filter (where is_db_ok) as ok, count(*) as sampled, coalesce(bool_or(minute = $2), false) as has_current
       from health_samples where minute >= $1 and minute <= $2`,
    [fromMinute, nowMinute],
  );
  const r = rows[0];
  return { firstMinute: r.first_minute, ok: num(r.ok), sampled: num(r.sampled), hasCurrent: r.has_current === true };
}

export type HealthSampleRow = { minute: Date; isDbOk: boolean; dbLatencyMs: number | null; queueDepth: number | null; oldestPendingSeconds: number | null };

export async function selectLatestHealthSample(tx: Tx): Promise<HealthSampleRow | null> {
  const { rows } = await tx.query<{ minute: Date; is_db_ok: boolean; db_latency_ms: number | null; queue_depth: number | null; oldest_pending_seconds: number | null }>(
    `select minute, is_db_ok, db_latency_ms, queue_depth, oldest_pending_seconds from health_samples order by minute desc limit 1`,
  );
  const r = rows[0];
  return r ? { minute: r.minute, isDbOk: r.is_db_ok, dbLatencyMs: r.db_latency_ms, queueDepth: r.queue_depth, oldestPendingSeconds: r.oldest_pending_seconds } : null;
}

export type NewHealthSample = { minute: Date; isDbOk: boolean; dbLatencyMs: number | null; queueDepth: number | null; oldestPendingSeconds: number | null; details: unknown };

/** One sample per minute, whichever worker writes first; samples past `keepSince` are pruned. */
export async function insertHealthSample(tx: Tx, sample: NewHealthSample, keepSince: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into health_samples (minute, is_db_ok, db_latency_ms, queue_depth, oldest_pending_seconds, details)
     values ($1, $2, $3, $4, $5, $6) on conflict (minute) do nothing`,
    [sample.minute, sample.isDbOk, sample.dbLatencyMs, sample.queueDepth, sample.oldestPendingSeconds, sample.details === undefined ? null : JSON.stringify(sample.details)],
  );
  await tx.query('delete from health_samples where minute < $1', [keepSince]);
  return (rowCount ?? 0) > 0;
}

export async function countServerErrors(tx: Tx, since: Date): Promise<number> {
  const { rows } = await tx.query<{ n: number }>('select count(*) as n from api_logs where status >= 500 and created_at >= $1', [since]);
  return num(rows[0].n);
}

export type ExecutionStatusCount = { status: string; count: number };

/** Executions created since `since`, by status. */
export async function countExecutionsByStatus(tx: Tx, since: Date): Promise<ExecutionStatusCount[]> {
  const { rows } = await tx.query<{ status: string; n: number }>(
    'select status, count(*) as n from workflow_executions where created_at >= $1 group by status', [since]);
  return rows.map((r) => ({ status: r.status, count: num(r.n) }));
}

/** Executions that ended failed or timed out since `since`. */
export async function countFailedExecutions(tx: Tx, since: Date): Promise<{ failed: number; timedOut: number }> {
  const { rows } = await tx.query<{ failed: number; timed_out: number }>(
    `select count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'timed_out') as timed_out
       from workflow_executions
      where finished_at is not null and status in ('completed', 'failed', 'timed_out') and finished_at >= $1 and status <> 'completed'`,
    [since],
  );
  return { failed: num(rows[0].failed), timedOut: num(rows[0].timed_out) };
}

/** Revenue and cost of the executions completed since `since`. */
export async function sumCompletedRevenue(tx: Tx, since: Date): Promise<{ revenue: string; cost: string; completed: number }> {
  const { rows } = await tx.query<{ revenue: string | null; cost: string | null; n: number }>(
    `select coalesce(sum(revenue), 0)::text as revenue, coalesce(sum(cost), 0)::text as cost, count(*) as n from workflow_executions
      where finished_at is not null and status in ('completed', 'failed', 'timed_out') and status = 'completed' and finished_at >= $1`,
    [since],
  );
  return { revenue: rows[0].revenue ?? '0', cost: rows[0].cost ?? '0', completed: num(rows[0].n) };
}

export type HourBucket = { hour: Date; executions: number; failedExecutions: number; serverErrors: number };

/** Per hour since `since` (truncated to the hour): executions created, of which failed or timed out, and 5xx answers. */
export async function selectHourlySeries(tx: Tx, since: Date): Promise<HourBucket[]> {
  const { rows } = await tx.query<{ hour: Date; executions: number; failed: number; server_errors: number }>(
    `with e as (
       select date_trunc('hour', created_at) as hour, count(*) as executions, count(*) filter (where status in ('failed', 'timed_out')) as failed
         from workflow_executions where created_at >= $1 group by 1
     ), l as (
       select date_trunc('hour', created_at) as hour, count(*) as server_errors from api_logs where status >= 500 and created_at >= $1 group by 1
     )
     select coalesce(e.hour, l.hour) as hour, coalesce(e.executions, 0) as executions, coalesce(e.failed, 0) as failed, coalesce(l.server_errors, 0) as server_errors
       from e full join l on l.hour = e.hour`,
    [since],
  );
  return rows.map((r) => ({ hour: r.hour, executions: num(r.executions), failedExecutions: num(r.failed), serverErrors: num(r.server_errors) }));
}

export type ActiveWorkspaceCounts = { total: number; active24h: number; active30d: number };

/**
 * Workspaces (not deleted) with activity: an API request or an execution. One index probe per
 * workspace and window: api_logs (workspace_id, created_at), and workflow_executions' primary
 * key (workspace_id, id) from the smallest UUIDv7 of the window's start (ids are time-ordered),
 * rechecked on created_at.
 */
export async function countActiveWorkspaces(tx: Tx, since24h: Date, since30d: Date): Promise<ActiveWorkspaceCounts> {
  const { rows } = await tx.query<{ total: number; a24: number; a30: number }>(
    `with flags as (
       select w.id,
              exists (select 1 from api_logs l where l.workspace_id = w.id and l.created_at >= $1)
           or exists (select 1 from workflow_executions e where e.workspace_id = w.id and e.id >= $3::uuid and e.created_at >= $1) as a24,
              exists (select 1 from api_logs l where l.workspace_id = w.id and l.created_at >= $2)
           or exists (select 1 from workflow_executions e where e.workspace_id = w.id and e.id >= $4::uuid and e.created_at >= $2) as a30
         from workspaces w where w.status <> 'deleted'
     )
     select count(*) as total, count(*) filter (where a24) as a24, count(*) filter (where a30) as a30 from flags`,
    [since24h, since30d, uuidv7LowerBound(since24h), uuidv7LowerBound(since30d)],
  );
  return { total: num(rows[0].total), active24h: num(rows[0].a24), active30d: num(rows[0].a30) };
}

export type ActivityRow = {
  kind: 'audit' | 'execution';
  id: string;
  occurredAt: Date;
  workspaceId: string;
  workspaceName: string | null;
  action: string;
  outcome: string;
  actorType: string | null;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  label: string | null;
};

/** The latest audit events (since `auditSince`) and executions (since `executionSince`), newest first. */
export async function selectRecentActivity(tx: Tx, auditSince: Date, executionSince: Date, limit: number): Promise<ActivityRow[]> {
  const { rows } = await tx.query<{
    kind: 'audit' | 'execution'; id: string; occurred_at: Date; workspace_id: string; workspace_name: string | null; action: string; outcome: string;
    actor_type: string | null; actor_id: string | null; target_type: string | null; target_id: string | null; label: string | null;
  }>(
    `select u.*, w.name as workspace_name from (
       (select 'audit' as kind, a.id, a.occurred_at, a.workspace_id, a.action, a.outcome, a.actor_type, a.actor_id::text as actor_id,
               a.target_type::text as target_type, a.target_id::text as target_id, null::text as label
          from audit_events a where a.occurred_at >= $1 order by a.occurred_at desc, a.id desc limit $3)
       union all
       (select 'execution', e.id, coalesce(e.finished_at, e.started_at, e.created_at), e.workspace_id, 'execution.' || e.status, e.status,
               e.actor->>'type', e.actor->>'id', 'workflow', e.workflow_id::text, f.name
          from workflow_executions e join workflows f on f.workspace_id = e.workspace_id and f.id = e.workflow_id
         where e.created_at >= $2 order by e.created_at desc, e.id desc limit $3)
     ) u left join workspaces w on w.id = u.workspace_id
     order by u.occurred_at desc, u.id desc limit $3`,
    [auditSince, executionSince, limit],
  );
  return rows.map((r) => ({
    kind: r.kind, id: r.id, occurredAt: r.occurred_at, workspaceId: r.workspace_id, workspaceName: r.workspace_name, action: r.action, outcome: r.outcome,
    actorType: r.actor_type, actorId: r.actor_id, targetType: r.target_type, targetId: r.target_id, label: r.label,
  }));
}

// ---------------------------------------------------------------------------------------------
// Errors: 5xx answers and failed or timed-out executions, one list, newest first.

export type ErrorSource = 'http' | 'execution';
export type ErrorSeverity = 'error' | 'warning';
export type ErrorFilters = { severity?: ErrorSeverity; source?: ErrorSource; workspaceId?: string; from?: Date; to?: Date };
export type ErrorKeyset = { occurredAt: string; id: string };

export type ErrorRow = {
  source: ErrorSource; id: string; occurredAt: Date; severity: ErrorSeverity; workspaceId: string | null; workspaceName: string | null;
  code: string | null; message: string | null; method: string | null; endpoint: string | null; httpStatus: number | null; requestId: string | null;
  workflowId: string | null; workflowName: string | null; executionStatus: string | null;
};

export async function selectErrorPage(tx: Tx, filters: ErrorFilters, after: ErrorKeyset | undefined, limit: number): Promise<ErrorRow[]> {
  const values: unknown[] = [limit];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const http: string[] = ['l.status >= 500'];
  const exec: string[] = ['e.finished_at is not null', `e.status in ('completed', 'failed', 'timed_out')`];
  if (filters.severity === 'warning') exec.push(`e.status = 'timed_out'`);
  else if (filters.severity === 'error') exec.push(`e.status = 'failed'`);
  else exec.push(`e.status <> 'completed'`);
  if (filters.workspaceId) {
    const p = param(filters.workspaceId);
    http.push(`l.workspace_id = ${p}`);
    exec.push(`e.workspace_id = ${p}`);
  }
  if (filters.from) {
    const p = param(filters.from);
    http.push(`l.created_at >= ${p}`);
    exec.push(`e.finished_at >= ${p}`);
  }
  if (filters.to) {
    const p = param(filters.to);
    http.push(`l.created_at < ${p}`);
    exec.push(`e.finished_at < ${p}`);
  }
  if (after) {
    const at = param(after.occurredAt);
    const id = param(after.id);
    http.push(`(l.created_at, l.id) < (${at}::timestamptz, ${id}::uuid)`);
    exec.push(`(e.finished_at, e.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  // A 5xx is always an `error`; a 4xx is the caller's mistake, not the platform's (the
  // workspace sees it in its own API logs).
  const includeHttp = filters.source !== 'execution' && filters.severity !== 'warning';
  const includeExec = filters.source !== 'http';
  const parts: string[] = [];
  if (includeHttp) {
    parts.push(`(select 'http' as source, l.id, l.created_at as occurred_at, 'error' as severity, l.workspace_id, l.error_code as code,
                        coalesce(l.response_body->>'detail', l.response_body->>'title') as message, l.method, l.endpoint, l.status::int as http_status, l.request_id,
                        null::uuid as workflow_id, null::text as execution_status
                   from api_logs l where ${http.join(' and ')} order by l.created_at desc, l.id desc limit $1)`);
  }
  if (includeExec) {
    // Named like the http branch's columns: either branch may stand alone.
    parts.push(`(select 'execution' as source, e.id, e.finished_at as occurred_at, case when e.status = 'timed_out' then 'warning' else 'error' end as severity,
                        e.workspace_id, e.error->>'code' as code, e.error->>'message' as message, null::text as method, null::text as endpoint,
                        null::int as http_status, null::text as request_id, e.workflow_id, e.status as execution_status
                   from workflow_executions e where ${exec.join(' and ')} order by e.finished_at desc, e.id desc limit $1)`);
  }
  if (parts.length === 0) return [];
  const { rows } = await tx.query<{
    source: ErrorSource; id: string; occurred_at: Date; severity: ErrorSeverity; workspace_id: string | null; workspace_name: string | null; code: string | null;
    message: string | null; method: string | null; endpoint: string | null; http_status: number | null; request_id: string | null;
    workflow_id: string | null; workflow_name: string | null; execution_status: string | null;
  }>(
    `select u.*, w.name as workspace_name, f.name as workflow_name from (${parts.join(' union all ')}) u
       left join workspaces w on w.id = u.workspace_id
       left join workflows f on f.workspace_id = u.workspace_id and f.id = u.workflow_id
      order by u.occurred_at desc, u.id desc limit $1`,
    values,
  );
  return rows.map((r) => ({
    source: r.source, id: r.id, occurredAt: r.occurred_at, severity: r.severity, workspaceId: r.workspace_id, workspaceName: r.workspace_name,
    code: r.code, message: r.message, method: r.method, endpoint: r.endpoint, httpStatus: r.http_status, requestId: r.request_id,
    workflowId: r.workflow_id, workflowName: r.workflow_name, executionStatus: r.execution_status,
  }));
}

// ---------------------------------------------------------------------------------------------
// Per-workflow statistics across workspaces.

export type WorkflowStatsSort = 'executions' | 'revenue' | 'failures' | 'successRate' | 'avgDuration' | 'lastExecution';
export type WorkflowStatsQuery = { from: Date; to: Date; workspaceId?: string; sort: WorkflowStatsSort; order: 'asc' | 'desc'; limit: number; offset: number };

export type WorkflowStatsRow = {
  workspaceId: string; workspaceName: string; workflowId: string; workflowName: string; workflowStatus: string;
  executions: number; succeeded: number; failed: number; timedOut: number; cancelled: number; inProgress: number;
  successRate: number | null; avgDurationMs: number | null; revenue: string; cost: string; lastExecutionAt: Date | null;
};

const STATS_SORT: Record<WorkflowStatsSort, string> = {
  executions: 's.executions',
  revenue: 's.revenue',
  failures: '(s.failed + s.timed_out)',
  successRate: 's.success_rate',
  avgDuration: 's.avg_duration_ms',
  lastExecution: 's.last_execution_at',
};

export async function selectWorkflowStats(tx: Tx, q: WorkflowStatsQuery): Promise<{ rows: WorkflowStatsRow[]; total: number }> {
  const values: unknown[] = [q.from, q.to, q.limit, q.offset];
  let workspaceFilter = '';
  if (q.workspaceId) {
    values.push(q.workspaceId);
    workspaceFilter = `and e.workspace_id = $${values.length}`;
  }
  // Nulls (no finished execution yet) sort last whatever the order.
  const orderBy = `${STATS_SORT[q.sort]} ${q.order === 'asc' ? 'asc' : 'desc'} nulls last, s.workspace_id, s.workflow_id`;
  const { rows } = await tx.query<{
    workspace_id: string; workspace_name: string; workflow_id: string; workflow_name: string; workflow_status: string;
    executions: number; succeeded: number; failed: number; timed_out: number; cancelled: number; in_progress: number;
    success_rate: string | null; avg_duration_ms: string | null; revenue: string | null; cost: string | null; last_execution_at: Date | null; total: number;
  }>(
    `with agg as (
       select e.workspace_id, e.workflow_id, count(*) as executions,
              count(*) filter (where e.status = 'completed') as succeeded,
              count(*) filter (where e.status = 'failed') as failed,
              count(*) filter (where e.status = 'timed_out') as timed_out,
              count(*) filter (where e.status = 'cancelled') as cancelled,
              count(*) filter (where e.status in ('pending', 'processing')) as in_progress,
              avg(e.duration_ms) filter (where e.status = 'completed') as avg_duration_ms,
              coalesce(sum(e.revenue) filter (where e.status = 'completed'), 0)::numeric as revenue,
              coalesce(sum(e.cost) filter (where e.status = 'completed'), 0)::numeric as cost,
              max(e.created_at) as last_execution_at
         from workflow_executions e
        where e.created_at >= $1 and e.created_at < $2 ${workspaceFilter}
        group by e.workspace_id, e.workflow_id
     ), s as (
       select agg.*,
              case when succeeded + failed + timed_out > 0 then round(succeeded::numeric / (succeeded + failed + timed_out), 4) end as success_rate
         from agg
     )
     select s.*, w.name as workspace_name, f.name as workflow_name, f.status as workflow_status, count(*) over () as total
       from s join workflows f on f.workspace_id = s.workspace_id and f.id = s.workflow_id
       join workspaces w on w.id = s.workspace_id
      order by ${orderBy}
      limit $3 offset $4`,
    values,
  );
  let total = rows.length ? num(rows[0].total) : 0;
  if (rows.length === 0 && q.offset > 0) {
    // Past the last page: the count alone.
    const count = await tx.query<{ n: number }>(
      `select count(*) as n from (select distinct e.workspace_id, e.workflow_id from workflow_executions e
         join workflows f on f.workspace_id = e.workspace_id and f.id = e.workflow_id
        where e.created_at >= $1 and e.created_at < $2 ${q.workspaceId ? 'and e.workspace_id = $3' : ''}) x`,
      q.workspaceId ? [q.from, q.to, q.workspaceId] : [q.from, q.to],
    );
    total = num(count.rows[0].n);
  }
  return {
    total,
    rows: rows.map((r) => ({
      workspaceId: r.workspace_id, workspaceName: r.workspace_name, workflowId: r.workflow_id, workflowName: r.workflow_name, workflowStatus: r.workflow_status,
      executions: num(r.executions), succeeded: num(r.succeeded), failed: num(r.failed), timedOut: num(r.timed_out), cancelled: num(r.cancelled),
      inProgress: num(r.in_progress), successRate: r.success_rate === null ? null : Number(r.success_rate),
      avgDurationMs: r.avg_duration_ms === null ? null : Math.round(Number(r.avg_duration_ms)), revenue: r.revenue ?? '0', cost: r.cost ?? '0',
      lastExecutionAt: r.last_execution_at,
    })),
  };
}
