// POST /executions/:id/cancel: the job is cancelled (removed if waiting, its signal aborted if
// running) and the execution ends as cancelled, in one transaction. A running step notices the
// abort; whatever it returns afterwards is not recorded (the execution is no longer processing).
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { canSeeStacks, toExecutionView } from './execution-view.ts';
import type { ExecutionView } from './execution-view.ts';
import { FINAL_STATUSES, failOpenStepRuns, findExecution, finishExecution } from './executions.store.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';

export async function cancelExecution(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, id: string): Promise<ExecutionView> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const execution = await findExecution(tx, ws, id, { forUpdate: true });
    if (!execution) throw workflowsErrors.create('EXECUTION_NOT_FOUND');
    if (FINAL_STATUSES.includes(execution.status)) throw workflowsErrors.create('EXECUTION_FINISHED', `The execution is already ${execution.status}`);
    const outcome = execution.jobId ? await ctx.jobs.cancel(tx, execution.jobId) : 'not_found';
    await failOpenStepRuns(tx, ws, id, { message: 'Cancelled', code: 'CANCELLED' });
    const after = await finishExecution(tx, ws, id, { status: 'cancelled', error: { message: 'Cancelled', code: 'CANCELLED' } }, ['pending', 'processing']);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'execution.cancelled', targetType: 'workflow_execution', targetId: id,
      diff: { before: { status: execution.status }, after: { status: 'cancelled', job: outcome } },
    });
    return toExecutionView(after!, canSeeStacks(principal));
  });
}
