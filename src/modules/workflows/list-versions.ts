// GET /workflows/:id/versions: newest first.
import type { Principal } from '../../kernel/http/principal.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findWorkflow, listVersions as selectVersions } from './workflows.store.ts';
import type { WorkflowVersion } from './workflows.store.ts';

export async function listVersions(ctx: WorkflowsContext, principal: Principal, workflowId: string, query: { limit: number; cursor?: number }): Promise<{ data: WorkflowVersion[]; nextCursor: number | null }> {
  const ws = principal.workspaceId;
  const data = await ctx.db.withWorkspace(ws, async (tx) => {
    if (!(await findWorkflow(tx, ws, workflowId))) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    return selectVersions(tx, ws, workflowId, { limit: query.limit, before: query.cursor });
  });
  return { data, nextCursor: data.length === query.limit ? data[data.length - 1].version : null };
}
