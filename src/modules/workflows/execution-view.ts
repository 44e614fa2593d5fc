// What the API shows of an execution and its step runs. Error stack traces are for platform
// admins only (stored with project-relative paths): they name the platform's code, paths and
// libraries, which no workspace, owners included, has any need to see.
import type { Principal } from '../../kernel/http/principal.ts';
import type { Execution, ExecutionError, StepRun } from './executions.store.ts';
import { MAX_SHOWN_OUTPUT_BYTES } from './workflows.context.ts';

export type ExecutionView = Omit<Execution, 'jobId' | 'orderingKey' | 'stepsDone' | 'stepsTotal' | 'currentStep' | 'timeoutMs'> & {
  progress: { stepsDone: number; stepsTotal: number; currentStep: string | null; percent: number };
};

export type StepRunView = Omit<StepRun, 'output'> & { output: unknown; outputTruncated: boolean };

export function canSeeStacks(principal: Principal): boolean {
  return principal.isPlatformAdmin;
}

function errorView(error: ExecutionError | null, showStack: boolean): ExecutionError | null {
  if (!error) return null;
  if (showStack || error.stack === undefined) return error;
  const { stack: _stack, ...rest } = error;
  return rest;
}

export function toExecutionView(e: Execution, showStack: boolean): ExecutionView {
  const { jobId: _jobId, orderingKey: _orderingKey, stepsDone, stepsTotal, currentStep, timeoutMs: _timeoutMs, ...rest } = e;
  const isDone = e.status === 'completed';
  return {
    ...rest,
    error: errorView(e.error, showStack),
    progress: { stepsDone, stepsTotal, currentStep, percent: isDone ? 100 : stepsTotal > 0 ? Math.min(100, Math.round((stepsDone / stepsTotal) * 100)) : 0 },
  };
}

export function toStepRunView(r: StepRun, showStack: boolean): StepRunView {
  const isTruncated = (r.outputSize ?? 0) > MAX_SHOWN_OUTPUT_BYTES;
  return {
    ...r,
    // A large output is shown as the start of its JSON text, marked truncated (the full one stays the checkpoint).
    output: isTruncated ? JSON.stringify(r.output).slice(0, MAX_SHOWN_OUTPUT_BYTES) : r.output,
    outputTruncated: isTruncated,
    error: errorView(r.error, showStack),
  };
}
