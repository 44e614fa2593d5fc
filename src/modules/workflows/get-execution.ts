// GET /executions/:id: status, progress, output, error and the step timeline.
import type { Principal } from '../../kernel/http/principal.ts';
import { canSeeStacks, toExecutionView, toStepRunView } from './execution-view.ts';
import type { ExecutionView, StepRunView } from './execution-view.ts';
import { findExecution, listStepRuns } from './executions.store.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';

export type ExecutionDetail = ExecutionView & { steps: StepRunView[] };

export async function getExecution(ctx: WorkflowsContext, principal: Principal, id: string): Promise<ExecutionDetail> {
  const ws = principal.workspaceId;
  const showStack = canSeeStacks(principal);
  return ctx.db.withWorkspace(ws, async (tx) => {
    const execution = await findExecution(tx, ws, id);
    if (!execution) throw workflowsErrors.create('EXECUTION_NOT_FOUND');
    const runs = await listStepRuns(tx, ws, id);
    return { ...toExecutionView(execution, showStack), steps: runs.map((r) => toStepRunView(r, showStack)) };
  });
}
