// POST /workflows/:id/deploy: pins a version (default: the current draft) for new executions,
// and schedules the cron trigger if the workflow has one. Deploying archived work revives it.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { canSeeStacks } from './execution-view.ts';
import { getWorkflowDetail } from './get-workflow.ts';
import type { WorkflowDetail } from './get-workflow.ts';
import { syncSchedule } from './schedule-workflow.ts';
import { assertDefinition } from './workflow-rules.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findVersion, findWorkflow, setWorkflowState } from './workflows.store.ts';

export async function deployWorkflow(ctx: WorkflowsContext, principal: Principal, audit: AuditContext, workflowId: string, input: { versionId?: string }): Promise<WorkflowDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const workflow = await findWorkflow(tx, ws, workflowId, { forUpdate: true });
    if (!workflow) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
    const versionId = input.versionId ?? workflow.currentVersionId;
    const version = versionId ? await findVersion(tx, ws, versionId) : null;
    if (!version || version.workflowId !== workflowId) throw workflowsErrors.create('VERSION_NOT_FOUND', 'No such version of this workflow');
    // Sub-workflows named by the version may have been archived since: check again.
    await assertDefinition(tx, ctx.steps, ws, version.definition, workflowId);
    await setWorkflowState(tx, ws, workflowId, { status: 'deployed', deployedVersionId: version.id }, principal.userId);
    await syncSchedule(ctx, tx, ws, workflowId, workflow.schedule, true);
    // The deployed version's build (compiled, committed, tagged) is queued with the deploy.
    await ctx.requestBuild?.(tx, audit, { workspaceId: ws, workflowId, versionId: version.id, version: version.version, reason: 'deploy', requestedBy: principal.userId });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'workflow.deployed', targetType: 'workflow', targetId: workflowId,
      diff: { before: { status: workflow.status, deployedVersion: workflow.deployedVersion }, after: { status: 'deployed', deployedVersion: version.version, versionId: version.id } },
    });
    return (await getWorkflowDetail(tx, ws, workflowId, { showStack: canSeeStacks(principal), currency: ctx.currency }))!;
  });
}
