// emit(tx, workspaceId, type, data), called by other modules in THEIR transaction: one delivery
// per enabled subscription listening to the type, and one delivery job each. Nothing is sent
// unless that transaction commits.
import type { Tx } from '../../../kernel/db/database.ts';
import type { JobActor } from '../../../kernel/jobs/index.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import { DELIVER_QUEUE } from './deliver-webhook.job.ts';
import type { DeliverPayload } from './deliver-webhook.job.ts';
import { insertDeliveriesForEvent } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';

export type EmittedEvent = { eventId: string; deliveries: Array<{ id: string; subscriptionId: string }> };

/** The body every subscriber receives: `{type, timestamp, data}`. */
export function eventBody(type: string, data: unknown, at: Date = new Date()): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

export async function emitEvent(ctx: WebhooksContext, tx: Tx, workspaceId: string, eventType: string, data: unknown, options: { actor?: JobActor | null } = {}): Promise<EmittedEvent> {
  if (!ctx.eventTypes.has(eventType)) throw new Error(`webhooks.emit: unknown event type "${eventType}" (register it first)`);
  const eventId = uuidv7();
  const deliveries = await insertDeliveriesForEvent(tx, workspaceId, { eventId, eventType, body: eventBody(eventType, data) });
  if (deliveries.length === 0) return { eventId, deliveries };
  await ctx.jobs.enqueueMany<DeliverPayload>(tx, DELIVER_QUEUE, deliveries.map((d) => ({
    payload: { deliveryId: d.id, trigger: 'automatic' },
    options: { workspaceId, actor: options.actor ?? { type: 'system', id: null } },
  })));
  return { eventId, deliveries };
}
