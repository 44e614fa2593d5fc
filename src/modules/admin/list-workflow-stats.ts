// GET /admin/workflows/stats: per workflow, across workspaces, over a window of execution
// creation times (default: the last 30 days). Success rate = completed / (completed + failed +
// timed out), a fraction 0–1; cancelled and running executions don't count for or against it.
// Average duration and revenue are of completed executions. Only workflows with executions in
// the window are listed.
import type { Config } from '../../kernel/config.ts';
import type { Database } from '../../kernel/db/database.ts';
import { moneyFromDecimal } from '../../kernel/money.ts';
import type { Money } from '../../kernel/money.ts';
import { reportWindow } from './report-window.ts';
import type { AdminReports } from './admin.context.ts';
import type { WorkflowStatsSort } from '../workflows/index.ts';


export type AdminWorkflowStats = {
  workspaceId: string; workspaceName: string; workflowId: string; workflowName: string; workflowStatus: string;
  executions: number; succeeded: number; failed: number; timedOut: number; cancelled: number; inProgress: number;
  successRate: number | null; avgDurationMs: number | null; revenue: Money; cost: Money; lastExecutionAt: string | null;
};

export type WorkflowStatsListQuery = { from?: string; to?: string; workspaceId?: string; sort?: WorkflowStatsSort; order?: 'asc' | 'desc'; limit?: number; offset?: number };
export type WorkflowStatsPage = { data: AdminWorkflowStats[]; total: number; limit: number; offset: number; from: string; to: string };

export async function listWorkflowStats(deps: { db: Database; config: Config; reports: AdminReports }, query: WorkflowStatsListQuery, now: Date = new Date()): Promise<WorkflowStatsPage> {
  const { from, to } = reportWindow(query, { now });
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  const { rows, total } = await deps.db.withPlatform((tx) => deps.reports.workflows.platform.selectWorkflowStats(tx, {
    from, to, workspaceId: query.workspaceId?.toLowerCase(), sort: query.sort ?? 'executions', order: query.order ?? 'desc', limit, offset,
  }));
  return {
    data: rows.map((r) => ({
      ...r, revenue: moneyFromDecimal(r.revenue, deps.config.currency), cost: moneyFromDecimal(r.cost, deps.config.currency),
      lastExecutionAt: r.lastExecutionAt ? r.lastExecutionAt.toISOString() : null,
    })),
    total, limit, offset, from: from.toISOString(), to: to.toISOString(),
  };
}
