// GET /webhook-deliveries/:id: the delivery, its exact body and every attempt.
import type { Principal } from '../../../kernel/http/principal.ts';
import { findDelivery, listAttempts } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { OutboundDeliveryDetail } from '../webhooks.schema.ts';
import { toAttemptView, toOutboundView } from '../webhooks.views.ts';

export async function getOutboundDelivery(ctx: WebhooksContext, principal: Principal, id: string): Promise<OutboundDeliveryDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const delivery = await findDelivery(tx, ws, id);
    if (!delivery) throw webhooksErrors.create('DELIVERY_NOT_FOUND');
    return { ...toOutboundView(delivery), body: delivery.body, attempts: (await listAttempts(tx, ws, id)).map(toAttemptView) };
  });
}
