// The `workflows.cron` job: a deployed workflow's schedule fired; it starts an execution with the
// schedule's input. The idempotency key is the job's id, so a retried tick starts one execution.
import type { JobContext } from '../../kernel/jobs/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { startExecution } from './start-execution.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { findWorkflow } from './workflows.store.ts';

export type CronPayload = { workflowId: string };

export function cronTriggerHandler(ctx: WorkflowsContext) {
  return async (job: JobContext<CronPayload>): Promise<void> => {
    const ws = job.workspaceId;
    if (!ws) return;
    await ctx.db.withWorkspace(ws, async (tx) => {
      const workflow = await findWorkflow(tx, ws, job.payload.workflowId);
      if (!workflow || workflow.status !== 'deployed') return;
      try {
        await startExecution(ctx, {
          workspaceId: ws, workflowId: workflow.id, input: workflow.schedule?.input ?? {}, trigger: 'cron',
          actor: { type: 'system', id: null }, idempotencyKey: `cron:${job.id}`,
        }, tx);
      } catch (err) {
        // A schedule whose input no longer matches the input schema: logged, not retried.
        if (err instanceof AppError && err.status < 500) job.log.warn({ err, workflowId: workflow.id }, 'cron trigger refused');
        else throw err;
      }
    });
  };
}
