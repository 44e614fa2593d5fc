// Queue `webhooks.deliver`: POST one signed delivery. Each attempt is recorded; a failure is
// retried on the queue's backoff until the last attempt, which marks the delivery failed and
// counts against the subscription (disabled after N failed deliveries in a row, with a notice
// to the workspace owners). Manual sends (test, redeliver) are one attempt and count for nothing.
import { PermanentJobError } from '../../../kernel/jobs/index.ts';
import type { JobContext } from '../../../kernel/jobs/index.ts';
import type { Tx } from '../../../kernel/db/database.ts';
import { systemContext } from '../../audit/index.ts';
import { postWebhook } from './post-webhook.ts';
import type { PostResult } from './post-webhook.ts';
import { openSecret, signatureHeader, signerOf } from '../signing.ts';
import { failDeliveryWithoutAttempt, findDeliveryToSend, recordAttempt, recordSubscriptionFailure, resetSubscriptionFailures } from './subscriptions.store.ts';
import type { DeliveryToSend, SubscriptionRow } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { allowsPrivateAddresses } from '../workspace-network.ts';
import { counters } from '../../../kernel/counters.ts';

export const DELIVER_QUEUE = 'webhooks.deliver';

export type DeliverPayload = { deliveryId: string; trigger: 'automatic' | 'manual' };

function signersOf(ctx: WebhooksContext, d: DeliveryToSend) {
  const owner = { kind: 'subscription' as const, workspaceId: d.workspace_id, id: d.subscription_id };
  const signers = [signerOf(openSecret(ctx.sealingKey, owner, d.secret_sealed))];
  if (d.previous_secret_sealed && d.previous_secret_expires_at && d.previous_secret_expires_at.getTime() > Date.now()) {
    signers.push(signerOf(openSecret(ctx.sealingKey, owner, d.previous_secret_sealed)));
  }
  return signers;
}

export function deliverWebhookJob(ctx: WebhooksContext) {
  return async (job: JobContext<DeliverPayload>): Promise<void> => {
    const ws = job.workspaceId;
    if (!ws) throw new PermanentJobError('webhooks.deliver: a delivery job must carry its workspace');
    const { deliveryId, trigger } = job.payload;
    const loaded = await ctx.db.withWorkspace(ws, async (tx) => {
      const delivery = await findDeliveryToSend(tx, ws, deliveryId);
      return delivery ? { delivery, allowPrivate: await allowsPrivateAddresses(ctx, tx, ws) } : null;
    });
    if (!loaded) return; // deleted with its subscription
    const { delivery, allowPrivate } = loaded;
    if (trigger === 'automatic') {
      if (delivery.status !== 'pending') return; // already settled (a job run again after a crash)
      if (!delivery.is_enabled) {
        await ctx.db.withWorkspace(ws, (tx) => failDeliveryWithoutAttempt(tx, ws, deliveryId, 'The subscription was disabled before this delivery was sent'));
        return;
      }
    }

    const at = new Date();
    const webhookId = delivery.event_id;
    const headers = {
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signatureHeader(signersOf(ctx, delivery), webhookId, at, delivery.body),
    };
    const result = await postWebhook(delivery.url, headers, delivery.body, { timeoutMs: ctx.config.webhooks.timeoutMs, allowPrivate, signal: job.signal });

    const isFinal = result.isSuccess || result.isRefused || trigger === 'manual' || job.attempt >= job.maxAttempts;
    const status = result.isSuccess ? 'succeeded' : isFinal ? 'failed' : 'pending';
    counters.webhookDeliveries.inc({ outcome: result.isSuccess ? 'succeeded' : isFinal ? 'failed' : 'retrying' });
    await ctx.db.withWorkspace(ws, async (tx) => {
      await recordAttempt(tx, ws, deliveryId, { ...result, trigger, startedAt: at }, status);
      if (trigger !== 'automatic' || delivery.kind !== 'event') return;
      if (result.isSuccess) await resetSubscriptionFailures(tx, ws, delivery.subscription_id);
      else if (isFinal) await countFailure(ctx, tx, delivery, result);
    });
    if (!isFinal) throw new Error(`webhook delivery attempt ${job.attempt} of ${job.maxAttempts} failed: ${result.error ?? 'no answer'}`);
  };
}

async function countFailure(ctx: WebhooksContext, tx: Tx, delivery: DeliveryToSend, result: PostResult): Promise<void> {
  const ws = delivery.workspace_id;
  const threshold = ctx.config.webhooks.disableAfterFailures;
  const reason = `${threshold} deliveries in a row failed (last: ${result.error ?? 'no answer'})`;
  const disabled = await recordSubscriptionFailure(tx, ws, delivery.subscription_id, threshold, reason);
  if (disabled) await noticeDisabled(ctx, tx, disabled, reason);
}

async function noticeDisabled(ctx: WebhooksContext, tx: Tx, s: SubscriptionRow, reason: string): Promise<void> {
  const ws = s.workspace_id;
  await ctx.audit.record(tx, systemContext('webhooks.deliver'), {
    workspaceId: ws, action: 'event_subscription.disabled', targetType: 'event_subscription', targetId: s.id,
    diff: { before: { isEnabled: true }, after: { isEnabled: false, disabledReason: reason } },
  });
  const owners = (await ctx.identity.directory.listWorkspaceMembers(tx, ws)).filter((m) => m.role === 'owner');
  const link = `${ctx.config.publicUrl.replace(/\/$/, '')}/webhooks`;
  for (const owner of owners) {
    await ctx.mail.enqueue(tx, {
      workspaceId: ws, to: owner.email, kind: 'webhook_subscription_disabled',
      subject: `Webhook subscription disabled: ${s.url}`,
      text: [
        `Hello ${owner.name || owner.email},`,
        '',
        `Atrium disabled the event subscription to ${s.url} (events: ${s.event_types.join(', ')}): ${reason}.`,
        'No more events are sent to it. Fix the receiving endpoint, then enable the subscription again; failed deliveries can be redelivered from the console:',
        link,
      ].join('\n'),
    });
  }
}
