// The cron trigger: a deployed workflow with a schedule has one job-engine schedule,
// `workflow:<id>`, firing the workflows.cron queue; it goes when the workflow is archived or its
// schedule removed.
import type { Tx } from '../../kernel/db/database.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { CRON_QUEUE } from './workflows.context.ts';
import type { WorkflowSchedule } from './workflows.store.ts';

export function scheduleName(workflowId: string): string {
  return `workflow:${workflowId.toLowerCase()}`;
}

export async function syncSchedule(ctx: WorkflowsContext, tx: Tx, workspaceId: string, workflowId: string, schedule: WorkflowSchedule | null, isDeployed: boolean): Promise<void> {
  if (schedule && isDeployed) {
    await ctx.jobs.schedule(tx, { name: scheduleName(workflowId), cron: schedule.cron, timezone: schedule.timezone ?? 'UTC', queue: CRON_QUEUE, payload: { workflowId }, workspaceId });
  } else {
    await ctx.jobs.unschedule(tx, scheduleName(workflowId));
  }
}
