// What the platform admin's installation-wide reports read of workflows and executions
// (platform path, in the caller's transaction): counts, revenue, hourly buckets, the latest
// executions, failed and timed-out executions as a keyset page, per-workflow statistics. Every
// query is time-bounded and indexed (0014: BRIN on created_at, partial index on finished rows).
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber as num } from '../../kernel/db/pool.ts';


/** The smallest UUIDv7 of a millisecond: every id minted at or after `at` sorts at or after it. */
export function uuidv7LowerBound(at: Date): string {
  const hex = Math.max(0, Math.floor(at.getTime())).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** Executions created since `since`, by status. */
export async function countExecutionsByStatus(tx: Tx, since: Date): Promise<Array<{ status: string; count: number }>> {
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

/** Revenue and cost (decimal strings) of the executions completed since `since`. */
export async function sumCompletedRevenue(tx: Tx, since: Date): Promise<{ revenue: string; cost: string; completed: number }> {
  const { rows } = await tx.query<{ revenue: string | null; cost: string | null; n: number }>(
    `select coalesce(sum(revenue), 0)::text as revenue, coalesce(sum(cost), 0)::text as cost, count(*) as n from workflow_executions
      where finished_at is not null and status in ('completed', 'failed', 'timed_out') and status = 'completed' and finished_at >= $1`,
    [since],
  );
  return { revenue: rows[0].revenue ?? '0', cost: rows[0].cost ?? '0', completed: num(rows[0].n) };
}

/** Per hour since `since` (truncated): executions created, of which failed or timed out. */
export async function hourlyExecutions(tx: Tx, since: Date): Promise<Array<{ hour: Date; executions: number; failed: number }>> {
  const { rows } = await tx.query<{ hour: Date; executions: number; failed: number }>(
    `select date_trunc('hour', created_at) as hour, count(*) as executions, count(*) filter (where status in ('failed', 'timed_out')) as failed
       from workflow_executions where created_at >= $1 group by 1`, [since]);
  return rows.map((r) => ({ hour: r.hour, executions: num(r.executions), failed: num(r.failed) }));
}

/**
 * Which of these workspaces created an execution since `since`: one probe of the primary key
 * (workspace_id, id) per workspace from the smallest UUIDv7 of `since` (ids are time-ordered),
 * rechecked on created_at.
 */
export async function activeAmong(tx: Tx, workspaceIds: string[], since: Date): Promise<Set<string>> {
  if (workspaceIds.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(
    `select w.id from unnest($1::uuid[]) as w(id)
      where exists (select 1 from workflow_executions e where e.workspace_id = w.id and e.id >= $3::uuid and e.created_at >= $2)`,
    [workspaceIds, since, uuidv7LowerBound(since)]);
  return new Set(rows.map((r) => r.id));
}

export type ExecutionActivity = {
  id: string; occurredAt: Date; workspaceId: string; status: string; actorType: string | null; actorId: string | null; workflowId: string; workflowName: string | null;
};

/** The latest executions created since `since`, newest first. */
export async function recentExecutions(tx: Tx, since: Date, limit: number): Promise<ExecutionActivity[]> {
  const { rows } = await tx.query<{ id: string; occurred_at: Date; workspace_id: string; status: string; actor_type: string | null; actor_id: string | null; workflow_id: string; name: string | null }>(
    `select e.id, coalesce(e.finished_at, e.started_at, e.created_at) as occurred_at, e.workspace_id, e.status,
            e.actor->>'type' as actor_type, e.actor->>'id' as actor_id, e.workflow_id, f.name
       from workflow_executions e join workflows f on f.workspace_id = e.workspace_id and f.id = e.workflow_id
      where e.created_at >= $1 order by e.created_at desc, e.id desc limit $2`, [since, limit]);
  return rows.map((r) => ({ id: r.id, occurredAt: r.occurred_at, workspaceId: r.workspace_id, status: r.status, actorType: r.actor_type, actorId: r.actor_id, workflowId: r.workflow_id, workflowName: r.name }));
}

export type ExecutionErrorFilters = { severity?: 'error' | 'warning'; workspaceId?: string; from?: Date; to?: Date };
export type ErrorKeyset = { occurredAt: string; id: string };
export type ExecutionErrorRow = {
  id: string; occurredAt: Date; severity: 'error' | 'warning'; workspaceId: string; code: string | null; message: string | null;
  workflowId: string; workflowName: string | null; status: string;
};

/** Failed (error) and timed-out (warning) executions, newest first by (finished_at, id), after a keyset. */
export async function executionErrorPage(tx: Tx, filters: ExecutionErrorFilters, after: ErrorKeyset | undefined, limit: number): Promise<ExecutionErrorRow[]> {
  const values: unknown[] = [limit];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = ['e.finished_at is not null', `e.status in ('completed', 'failed', 'timed_out')`];
  if (filters.severity === 'warning') where.push(`e.status = 'timed_out'`);
  else if (filters.severity === 'error') where.push(`e.status = 'failed'`);
  else where.push(`e.status <> 'completed'`);
  if (filters.workspaceId) where.push(`e.workspace_id = ${param(filters.workspaceId)}`);
  if (filters.from) where.push(`e.finished_at >= ${param(filters.from)}`);
  if (filters.to) where.push(`e.finished_at < ${param(filters.to)}`);
  if (after) where.push(`(e.finished_at, e.id) < (${param(after.occurredAt)}::timestamptz, ${param(after.id)}::uuid)`);
  const { rows } = await tx.query<{ id: string; finished_at: Date; status: string; workspace_id: string; code: string | null; message: string | null; workflow_id: string; name: string | null }>(
    `select e.id, e.finished_at, e.status, e.workspace_id, e.error->>'code' as code, e.error->>'message' as message, e.workflow_id, f.name
       from workflow_executions e left join workflows f on f.workspace_id = e.workspace_id and f.id = e.workflow_id
      where ${where.join(' and ')} order by e.finished_at desc, e.id desc limit $1`, values);
  return rows.map((r) => ({
    id: r.id, occurredAt: r.finished_at, severity: r.status === 'timed_out' ? 'warning' : 'error', workspaceId: r.workspace_id, code: r.code, message: r.message,
    workflowId: r.workflow_id, workflowName: r.name, status: r.status,
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

/** Per workflow across workspaces over a window of creation times (names from tenancy's workspace_directory). */
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
       join workspace_directory w on w.id = s.workspace_id
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
