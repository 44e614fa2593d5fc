// POST /workflows/:id/versions: a new immutable version from a definition; it becomes the
// current draft. The deployed version does not change until a deploy.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { assertDefinition } from './workflow-rules.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findWorkflow, insertVersion, setWorkflowState } from './workflows.store.ts';
import type { WorkflowVersion } from './workflows.store.ts';
import type { WorkflowDefinition } from './workflows.types.ts';

export async function createVersion(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, workflowId: string, input: { definition: WorkflowDefinition; note?: string }): Promise<WorkflowVersion> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const workflow = await findWorkflow(tx, ws, workflowId, { forUpdate: true });
    if (!workflow) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    if (workflow.status === 'archived') throw workflowsErrors.create('WORKFLOW_ARCHIVED', 'An archived workflow can\'t get new versions');
    await assertDefinition(tx, ctx.steps, ws, input.definition, workflowId);
    const version = await insertVersion(tx, { workspaceId: ws, workflowId, definition: input.definition, note: input.note ?? '', userId: principal.userId });
    await setWorkflowState(tx, ws, workflowId, { status: workflow.status, currentVersionId: version.id }, principal.userId);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'workflow.version_created', targetType: 'workflow', targetId: workflowId,
      diff: { before: { currentVersion: workflow.currentVersion }, after: { currentVersion: version.version, versionId: version.id, steps: input.definition.steps.length } },
    });
    return version;
  });
}
