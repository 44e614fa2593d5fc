// GET /executions and GET /workflows/:id/executions: newest first, by status, cursor-paginated.
import type { Principal } from '../../kernel/http/principal.ts';
import { canSeeStacks, toExecutionView } from './execution-view.ts';
import type { ExecutionView } from './execution-view.ts';
import { listExecutions as selectExecutions } from './executions.store.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findWorkflow } from './workflows.store.ts';
import type { ExecutionStatus } from './workflows.types.ts';

export type ExecutionListQuery = { workflowId?: string; status?: ExecutionStatus; limit: number; cursor?: string };

export async function listExecutions(ctx: WorkflowsContext, principal: Principal, query: ExecutionListQuery, options: { requireWorkflow?: boolean } = {}): Promise<{ data: ExecutionView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const rows = await ctx.db.withWorkspace(ws, async (tx) => {
    if (options.requireWorkflow && query.workflowId && !(await findWorkflow(tx, ws, query.workflowId))) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    return selectExecutions(tx, ws, { workflowId: query.workflowId, status: query.status, limit: query.limit, after: query.cursor });
  });
  const showStack = canSeeStacks(principal);
  return { data: rows.map((e) => toExecutionView(e, showStack)), nextCursor: rows.length === query.limit ? rows[rows.length - 1].id : null };
}
