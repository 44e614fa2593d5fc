// GET /workflows/:id: the workflow, its current draft's definition, its stats and its recent
// executions.
import type { Tx } from '../../kernel/db/database.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { canSeeStacks, toExecutionView } from './execution-view.ts';
import type { ExecutionView } from './execution-view.ts';
import { listExecutions, workflowStats } from './executions.store.ts';
import type { WorkflowStats } from './executions.store.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findVersion, findWorkflow } from './workflows.store.ts';
import type { Workflow } from './workflows.store.ts';
import type { WorkflowDefinition } from './workflows.types.ts';

export type WorkflowDetail = Workflow & { definition: WorkflowDefinition; stats: WorkflowStats; recentExecutions: ExecutionView[] };

export async function getWorkflowDetail(tx: Tx, workspaceId: string, id: string, options: { showStack: boolean; currency: string }): Promise<WorkflowDetail | null> {
  const workflow = await findWorkflow(tx, workspaceId, id);
  if (!workflow) return null;
  const version = workflow.currentVersionId ? await findVersion(tx, workspaceId, workflow.currentVersionId) : null;
  const stats = await workflowStats(tx, workspaceId, id, options.currency);
  const recent = await listExecutions(tx, workspaceId, { workflowId: id, limit: 10 });
  return { ...workflow, definition: version?.definition ?? { steps: [] }, stats, recentExecutions: recent.map((e) => toExecutionView(e, options.showStack)) };
}

export async function getWorkflow(ctx: WorkflowsContext, principal: Principal, id: string): Promise<WorkflowDetail> {
  const ws = principal.workspaceId;
  const detail = await ctx.db.withWorkspace(ws, (tx) => getWorkflowDetail(tx, ws, id, { showStack: canSeeStacks(principal), currency: ctx.currency }));
  if (!detail) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
  return detail;
}

export async function getWorkflowStats(ctx: WorkflowsContext, principal: Principal, id: string): Promise<WorkflowStats> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    if (!(await findWorkflow(tx, ws, id))) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    return workflowStats(tx, ws, id, ctx.currency);
  });
}
