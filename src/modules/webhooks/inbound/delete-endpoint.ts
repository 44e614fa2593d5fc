// DELETE /webhook-endpoints/:id: the endpoint and its stored deliveries.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { deleteEndpoint as removeEndpoint } from './endpoints.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';

export async function deleteEndpoint(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const deleted = await removeEndpoint(tx, ws, id);
    if (!deleted) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'webhook_endpoint.deleted', targetType: 'webhook_endpoint', targetId: id,
      diff: { before: { name: deleted.name, workflowId: deleted.target_id, isOrdered: deleted.is_ordered, isEnabled: deleted.is_enabled }, after: null },
    });
  });
  ctx.endpoints.invalidate(id);
}
