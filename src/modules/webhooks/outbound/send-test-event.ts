// POST /event-subscriptions/:id/test: a `ping` delivery, sent once at once (even to a disabled
// subscription, to check the receiver before enabling it again).
import type { Principal } from '../../../kernel/http/principal.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import type { AuditContext } from '../../audit/index.ts';
import { DELIVER_QUEUE } from './deliver-webhook.job.ts';
import type { DeliverPayload } from './deliver-webhook.job.ts';
import { eventBody } from './emit-event.ts';
import { PING_EVENT } from './event-types.ts';
import { findSubscription, insertDelivery } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { OutboundDeliveryView } from '../webhooks.schema.ts';
import { toOutboundView } from '../webhooks.views.ts';

export async function sendTestEvent(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string): Promise<OutboundDeliveryView> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const subscription = await findSubscription(tx, ws, id);
    if (!subscription) throw webhooksErrors.create('SUBSCRIPTION_NOT_FOUND');
    const body = eventBody(PING_EVENT, { subscriptionId: id, message: 'Test event from Atrium' });
    const delivery = await insertDelivery(tx, { workspaceId: ws, subscriptionId: id, eventId: uuidv7(), eventType: PING_EVENT, body, kind: 'test' });
    await ctx.jobs.enqueue<DeliverPayload>(tx, DELIVER_QUEUE, { deliveryId: delivery.id, trigger: 'manual' }, { workspaceId: ws, actor: audit.actor, maxAttempts: 1 });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'event_subscription.tested', targetType: 'event_subscription', targetId: id,
      diff: { before: null, after: { deliveryId: delivery.id } },
    });
    return toOutboundView(delivery);
  });
}
