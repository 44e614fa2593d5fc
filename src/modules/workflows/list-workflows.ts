// GET /workflows: newest first, with each one's last execution and success rate.
import type { Principal } from '../../kernel/http/principal.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { listWorkflows as selectWorkflows } from './workflows.store.ts';
import type { WorkflowListItem } from './workflows.store.ts';
import type { WorkflowStatus } from './workflows.types.ts';

export type WorkflowListQuery = { status?: WorkflowStatus; search?: string; includeArchived?: boolean; limit: number; cursor?: string };

export async function listWorkflows(ctx: WorkflowsContext, principal: Principal, query: WorkflowListQuery): Promise<{ data: WorkflowListItem[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const data = await ctx.db.withWorkspace(ws, (tx) => selectWorkflows(tx, ws, { ...query, after: query.cursor }));
  return { data, nextCursor: data.length === query.limit ? data[data.length - 1].id : null };
}
