// POST /workflows: the workflow and its first version (a draft), with its audit event.
import type { Principal } from '../../kernel/http/principal.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { AuditContext } from '../audit/index.ts';
import { getWorkflowDetail } from './get-workflow.ts';
import type { WorkflowDetail } from './get-workflow.ts';
import { assertDefinition, assertInputSchema, assertSchedule } from './workflow-rules.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { insertVersion, insertWorkflow, setWorkflowState } from './workflows.store.ts';
import type { WorkflowSchedule } from './workflows.store.ts';
import type { WorkflowDefinition } from './workflows.types.ts';

export type CreateWorkflowInput = {
  name: string;
  description?: string;
  definition?: WorkflowDefinition;
  inputSchema?: Record<string, unknown> | null;
  costPerExecution?: string;
  revenuePerExecution?: string;
  timeoutMs?: number;
  schedule?: WorkflowSchedule | null;
};

export async function createWorkflow(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, input: CreateWorkflowInput): Promise<WorkflowDetail> {
  const ws = principal.workspaceId;
  const id = uuidv7();
  const definition = input.definition ?? { steps: [] };
  assertInputSchema(input.inputSchema);
  assertSchedule(input.schedule);
  return ctx.db.withWorkspace(ws, async (tx) => {
    await assertDefinition(tx, ctx.steps, ws, definition, id);
    await insertWorkflow(tx, {
      id, workspaceId: ws, name: input.name, description: input.description ?? '', inputSchema: input.inputSchema ?? null,
      costPerExecution: input.costPerExecution ?? '0', revenuePerExecution: input.revenuePerExecution ?? '0', timeoutMs: input.timeoutMs ?? 900_000,
      schedule: input.schedule ?? null, userId: principal.userId,
    });
    const version = await insertVersion(tx, { workspaceId: ws, workflowId: id, definition, note: 'Created', userId: principal.userId });
    await setWorkflowState(tx, ws, id, { status: 'draft', currentVersionId: version.id }, principal.userId);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'workflow.created', targetType: 'workflow', targetId: id,
      diff: { before: null, after: { name: input.name, versionId: version.id, steps: definition.steps.length } },
    });
    return (await getWorkflowDetail(tx, ws, id, { showStack: false, currency: ctx.currency }))!;
  });
}
