// POST /executions/:id/retry: a failed, timed-out or cancelled execution runs again from the step
// that did not complete; completed steps keep their checkpointed outputs and are not re-run.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { canSeeStacks, toExecutionView } from './execution-view.ts';
import type { ExecutionView } from './execution-view.ts';
import { findExecution, jobOrderingKey, resetForRetry, setExecutionJob } from './executions.store.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { EXECUTE_QUEUE } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';

export async function retryExecution(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, id: string): Promise<ExecutionView> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const execution = await findExecution(tx, ws, id, { forUpdate: true });
    if (!execution) throw workflowsErrors.create('EXECUTION_NOT_FOUND');
    if (!['failed', 'timed_out', 'cancelled'].includes(execution.status)) throw workflowsErrors.create('EXECUTION_NOT_RETRYABLE', `The execution is ${execution.status}`);
    await resetForRetry(tx, ws, id);
    const job = await ctx.jobs.enqueue(tx, EXECUTE_QUEUE, { executionId: id }, {
      workspaceId: ws, actor: audit.actor, orderingKey: jobOrderingKey(execution), timeoutMs: execution.timeoutMs + 60_000,
    });
    await setExecutionJob(tx, ws, id, job.id);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'execution.retried', targetType: 'workflow_execution', targetId: id,
      diff: { before: { status: execution.status, stepsDone: execution.stepsDone }, after: { status: 'pending' } },
    });
    return toExecutionView((await findExecution(tx, ws, id))!, canSeeStacks(principal));
  });
}
