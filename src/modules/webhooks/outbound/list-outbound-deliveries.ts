// GET /event-subscriptions/:id/deliveries: newest first, filter by status.
import type { Principal } from '../../../kernel/http/principal.ts';
import { findSubscription, listDeliveries } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { OutboundDeliveryView } from '../webhooks.schema.ts';
import { nextCursor, toOutboundView } from '../webhooks.views.ts';

export async function listOutboundDeliveries(ctx: WebhooksContext, principal: Principal, subscriptionId: string, q: { limit: number; cursor?: string; status?: string }): Promise<{ data: OutboundDeliveryView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const rows = await ctx.db.withWorkspace(ws, async (tx) => {
    if (!(await findSubscription(tx, ws, subscriptionId))) throw webhooksErrors.create('SUBSCRIPTION_NOT_FOUND');
    return listDeliveries(tx, ws, subscriptionId, { limit: q.limit, before: q.cursor, status: q.status });
  });
  return { data: rows.map(toOutboundView), nextCursor: nextCursor(rows, q.limit) };
}
