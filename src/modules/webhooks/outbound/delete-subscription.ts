// DELETE /event-subscriptions/:id: the subscription and its delivery log; pending jobs find
// nothing to send and end.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { deleteSubscription as removeSubscription } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';

export async function deleteSubscription(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const deleted = await removeSubscription(tx, ws, id);
    if (!deleted) throw webhooksErrors.create('SUBSCRIPTION_NOT_FOUND');
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'event_subscription.deleted', targetType: 'event_subscription', targetId: id,
      diff: { before: { url: deleted.url, eventTypes: deleted.event_types, isEnabled: deleted.is_enabled }, after: null },
    });
  });
}
