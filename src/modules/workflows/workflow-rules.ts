// Checks shared by the use-cases that store a definition, an input schema or a schedule: each
// throws a 400 problem with every problem found, so a client fixes them in one go.
import { Cron } from 'croner';
import type { Tx } from '../../kernel/db/database.ts';
import { checkDefinition } from './definition.ts';
import { inputSchemaProblem } from './input-schema.ts';
import type { StepRegistry } from './step-registry.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { existingWorkflowIds } from './workflows.store.ts';
import type { WorkflowSchedule } from './workflows.store.ts';
import type { WorkflowDefinition } from './workflows.types.ts';

export async function assertDefinition(tx: Tx, steps: StepRegistry, workspaceId: string, definition: WorkflowDefinition, selfId: string): Promise<void> {
  const { problems, subWorkflowIds } = checkDefinition(steps, definition);
  if (subWorkflowIds.includes(selfId)) problems.push({ path: 'definition.steps', message: 'a workflow can\'t run itself as a sub-workflow' });
  const existing = await existingWorkflowIds(tx, workspaceId, subWorkflowIds.filter((id) => id !== selfId));
  for (const id of subWorkflowIds) if (id !== selfId && !existing.has(id)) problems.push({ path: 'definition.steps', message: `sub-workflow ${id} is not a workflow of this workspace` });
  if (problems.length > 0) {
    throw workflowsErrors.create('INVALID_DEFINITION', problems.map((p) => `${p.path} ${p.message}`).join('; '), { extra: { errors: problems } });
  }
}

export function assertInputSchema(schema: unknown): void {
  if (schema === null || schema === undefined) return;
  const problem = inputSchemaProblem(schema);
  if (problem) throw workflowsErrors.create('INVALID_INPUT_SCHEMA', problem, { extra: { errors: [{ path: 'body.inputSchema', message: problem }] } });
}

export function assertSchedule(schedule: WorkflowSchedule | null | undefined): void {
  if (!schedule) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: schedule.timezone ?? 'UTC' });
  } catch {
    throw workflowsErrors.create('INVALID_SCHEDULE', `${schedule.timezone} is not a known IANA time zone`, { extra: { errors: [{ path: 'body.schedule.timezone', message: 'is not a known IANA time zone' }] } });
  }
  try {
    new Cron(schedule.cron, { timezone: schedule.timezone ?? 'UTC', paused: true }).stop();
  } catch (err) {
    throw workflowsErrors.create('INVALID_SCHEDULE', `${schedule.cron}: ${(err as Error).message}`, { extra: { errors: [{ path: 'body.schedule.cron', message: (err as Error).message }] } });
  }
}
