// DELETE /workflows/:id archives: no new executions, no cron, history kept. Running executions
// finish.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { canSeeStacks } from './execution-view.ts';
import { getWorkflowDetail } from './get-workflow.ts';
import type { WorkflowDetail } from './get-workflow.ts';
import { syncSchedule } from './schedule-workflow.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findWorkflow, setWorkflowState } from './workflows.store.ts';

export async function archiveWorkflow(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, id: string): Promise<WorkflowDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findWorkflow(tx, ws, id, { forUpdate: true });
    if (!before) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    if (before.status !== 'archived') {
      await setWorkflowState(tx, ws, id, { status: 'archived' }, principal.userId);
      await syncSchedule(ctx, tx, ws, id, null, false);
      await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'workflow.archived', targetType: 'workflow', targetId: id, diff: { before: { status: before.status }, after: { status: 'archived' } } });
    }
    return (await getWorkflowDetail(tx, ws, id, { showStack: canSeeStacks(principal), currency: ctx.currency }))!;
  });
}
