// PATCH /webhook-endpoints/:id: name, description, target, ordering, enabled.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { findEndpoint, updateEndpoint as writeEndpoint } from './endpoints.store.ts';
import { assertWorkflowExists } from './workflow-target.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { EndpointView } from '../webhooks.schema.ts';
import { toEndpointView } from '../webhooks.views.ts';

export type UpdateEndpointInput = { name?: string; description?: string; workflowId?: string | null; isOrdered?: boolean; isEnabled?: boolean };

export async function updateEndpoint(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string, input: UpdateEndpointInput): Promise<EndpointView> {
  const ws = principal.workspaceId;
  const view = await ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findEndpoint(tx, ws, id, { forUpdate: true });
    if (!before) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
    if (before.target_kind === 'agent' && input.workflowId) throw webhooksErrors.create('ENDPOINT_TARGET_FIXED', 'This endpoint is an agent\'s webhook: it always starts that agent');
    const previousWorkflow = before.target_kind === 'workflow' ? before.target_id : null;
    const workflowId = input.workflowId === undefined ? previousWorkflow : input.workflowId;
    if (workflowId && workflowId !== previousWorkflow) await assertWorkflowExists(ctx, tx, ws, workflowId);
    const after = await writeEndpoint(tx, ws, id, {
      name: input.name ?? before.name, description: input.description ?? before.description, workflowId,
      isOrdered: input.isOrdered ?? before.is_ordered, isEnabled: input.isEnabled ?? before.is_enabled,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'webhook_endpoint.updated', targetType: 'webhook_endpoint', targetId: id,
      diff: {
        before: { name: before.name, description: before.description, workflowId: previousWorkflow, isOrdered: before.is_ordered, isEnabled: before.is_enabled },
        after: { name: after.name, description: after.description, workflowId, isOrdered: after.is_ordered, isEnabled: after.is_enabled },
      },
    });
    return toEndpointView(ctx.config.publicUrl, after);
  });
  ctx.endpoints.invalidate(id);
  return view;
}
