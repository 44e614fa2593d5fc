// PATCH /workflows/:id: settings of the workflow (not its steps: those change through a new
// version). A deployed workflow's cron schedule follows its new schedule at once.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { getWorkflowDetail } from './get-workflow.ts';
import type { WorkflowDetail } from './get-workflow.ts';
import { canSeeStacks } from './execution-view.ts';
import { syncSchedule } from './schedule-workflow.ts';
import { assertInputSchema, assertSchedule } from './workflow-rules.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findWorkflow, updateWorkflow as updateRow } from './workflows.store.ts';
import type { Workflow, WorkflowPatch } from './workflows.store.ts';

export async function updateWorkflow(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, id: string, patch: WorkflowPatch): Promise<WorkflowDetail> {
  const ws = principal.workspaceId;
  if (patch.inputSchema !== undefined) assertInputSchema(patch.inputSchema);
  if (patch.schedule !== undefined) assertSchedule(patch.schedule);
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findWorkflow(tx, ws, id, { forUpdate: true });
    if (!before) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    if (before.status === 'archived') throw workflowsErrors.create('WORKFLOW_ARCHIVED', 'An archived workflow can\'t be changed');
    await updateRow(tx, ws, id, patch, principal.userId);
    if (patch.schedule !== undefined) await syncSchedule(ctx, tx, ws, id, patch.schedule, before.status === 'deployed');
    const changed = (Object.keys(patch) as Array<keyof WorkflowPatch>).filter((k) => patch[k] !== undefined);
    const pick = (w: Workflow) => Object.fromEntries(changed.map((k) => [k, w[k]]));
    const after = (await getWorkflowDetail(tx, ws, id, { showStack: canSeeStacks(principal), currency: ctx.currency }))!;
    await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'workflow.updated', targetType: 'workflow', targetId: id, diff: { before: pick(before), after: pick(after) } });
    return after;
  });
}
