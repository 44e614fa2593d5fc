// POST /event-subscriptions/:id/rotate-secret: a new secret (shown once). During the grace
// period each delivery carries two signatures (new and old), so the receiver can switch.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { generateSecret, sealSecret } from '../signing.ts';
import { findSubscription, rotateSubscriptionSecret as writeSecret } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';

export async function rotateSubscriptionSecret(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string, keepPreviousSeconds: number): Promise<{ secret: string; previousSecretExpiresAt: string | null }> {
  const ws = principal.workspaceId;
  const secret = generateSecret();
  return ctx.db.withWorkspace(ws, async (tx) => {
    if (!(await findSubscription(tx, ws, id, { forUpdate: true }))) throw webhooksErrors.create('SUBSCRIPTION_NOT_FOUND');
    const after = await writeSecret(tx, ws, id, sealSecret(ctx.sealingKey, { kind: 'subscription', workspaceId: ws, id }, secret), keepPreviousSeconds);
    const previousSecretExpiresAt = after.previous_secret_expires_at ? after.previous_secret_expires_at.toISOString() : null;
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'event_subscription.secret_rotated', targetType: 'event_subscription', targetId: id,
      diff: { before: null, after: { previousSecretExpiresAt } },
    });
    return { secret, previousSecretExpiresAt };
  });
}
