// What other modules may read of a workspace's workflows (the platform admin's workspace page),
// in the caller's transaction: the workflows with their deployed version and last run, and the
// executions of a window. Revenue and cost are numeric sums, returned as decimal strings: the
// caller turns them into Money with the installation's currency.
import type { Tx } from '../../kernel/db/database.ts';
import { listWorkflows } from './workflows.store.ts';

export type WorkflowReportItem = {
  id: string; name: string; status: string; deployedVersion: number | null; deployedAt: string | null;
  lastExecution: { id: string; status: string; createdAt: string } | null; executionCount: number; successRate: number | null;
};

export type ExecutionWindowReport = {
  executions: number; completed: number; failed: number; cancelled: number; running: number;
  /** completed / (completed + failed + timed out), 0–1; null when none finished. */
  successRate: number | null;
  averageDurationMs: number | null;
  revenue: string; cost: string;
};

export async function reportWorkflows(tx: Tx, workspaceId: string, limit: number): Promise<WorkflowReportItem[]> {
  const list = await listWorkflows(tx, workspaceId, { limit, includeArchived: false });
  return list.map((w) => ({
    id: w.id, name: w.name, status: w.status, deployedVersion: w.deployedVersion, deployedAt: w.deployedAt,
    lastExecution: w.lastExecution, executionCount: w.executionCount, successRate: w.successRate,
  }));
}

/** Executions created in [from, to); revenue and cost of those completed. */
export async function reportExecutions(tx: Tx, workspaceId: string, from: Date, to: Date): Promise<ExecutionWindowReport> {
  const { rows } = await tx.query<{ n: number; completed: number; failed: number; cancelled: number; running: number; avg: number | null; revenue: string; cost: string }>(
    `select count(*)::int as n,
       count(*) filter (where status = 'completed')::int as completed,
       count(*) filter (where status in ('failed', 'timed_out'))::int as failed,
       count(*) filter (where status = 'cancelled')::int as cancelled,
       count(*) filter (where status in ('pending', 'processing'))::int as running,
       (avg(duration_ms) filter (where status = 'completed'))::float8 as avg,
       coalesce(sum(revenue) filter (where status = 'completed'), 0)::text as revenue,
       coalesce(sum(cost) filter (where status = 'completed'), 0)::text as cost
     from workflow_executions where workspace_id = $1 and created_at >= $2 and created_at < $3`,
    [workspaceId, from, to]);
  const r = rows[0];
  return {
    executions: r.n, completed: r.completed, failed: r.failed, cancelled: r.cancelled, running: r.running,
    successRate: r.completed + r.failed > 0 ? r.completed / (r.completed + r.failed) : null,
    averageDurationMs: r.avg === null ? null : Math.round(r.avg), revenue: r.revenue, cost: r.cost,
  };
}

/** Does this workflow exist in the workspace (archived ones too)? */
export async function workflowExists(tx: Tx, workspaceId: string, workflowId: string): Promise<boolean> {
  const { rowCount } = await tx.query('select 1 from workflows where workspace_id = $1 and id = $2', [workspaceId, workflowId]);
  return (rowCount ?? 0) > 0;
}

/** Does the workspace have this execution? */
export async function executionExists(tx: Tx, workspaceId: string, executionId: string): Promise<boolean> {
  const { rowCount } = await tx.query('select 1 from workflow_executions where workspace_id = $1 and id = $2', [workspaceId, executionId]);
  return (rowCount ?? 0) > 0;
}
