// POST /webhook-deliveries/:id/redeliver: send a delivery again by hand (same webhook-id, so a
// receiver that got it already can tell), one attempt, recorded with the others.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { DELIVER_QUEUE } from './deliver-webhook.job.ts';
import type { DeliverPayload } from './deliver-webhook.job.ts';
import { findDelivery, markDeliveryPending } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { OutboundDeliveryView } from '../webhooks.schema.ts';
import { toOutboundView } from '../webhooks.views.ts';

export async function redeliver(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string): Promise<OutboundDeliveryView> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findDelivery(tx, ws, id, { forUpdate: true });
    if (!before) throw webhooksErrors.create('DELIVERY_NOT_FOUND');
    const after = await markDeliveryPending(tx, ws, id);
    await ctx.jobs.enqueue<DeliverPayload>(tx, DELIVER_QUEUE, { deliveryId: id, trigger: 'manual' }, { workspaceId: ws, actor: audit.actor, maxAttempts: 1 });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'webhook_delivery.redelivered', targetType: 'webhook_delivery', targetId: id,
      diff: { before: { status: before.status }, after: { status: after.status } },
    });
    return toOutboundView(after);
  });
}
