// PATCH /event-subscriptions/:id. Enabling a disabled subscription resets its failure count.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { assertAllowedTarget, assertKnownEventTypes } from './subscription-target.ts';
import { findSubscription, updateSubscription as writeSubscription } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { SubscriptionView } from '../webhooks.schema.ts';
import { toSubscriptionView } from '../webhooks.views.ts';

export type UpdateSubscriptionInput = { url?: string; eventTypes?: string[]; description?: string; isEnabled?: boolean };

export async function updateSubscription(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string, input: UpdateSubscriptionInput): Promise<SubscriptionView> {
  const ws = principal.workspaceId;
  if (input.eventTypes) assertKnownEventTypes(ctx, input.eventTypes);
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findSubscription(tx, ws, id, { forUpdate: true });
    if (!before) throw webhooksErrors.create('SUBSCRIPTION_NOT_FOUND');
    if (input.url !== undefined && input.url !== before.url) await assertAllowedTarget(ctx, tx, ws, input.url);
    const isEnabled = input.isEnabled ?? before.is_enabled;
    const after = await writeSubscription(tx, ws, id, {
      url: input.url ?? before.url, eventTypes: input.eventTypes ?? before.event_types, description: input.description ?? before.description,
      isEnabled, isReenabled: isEnabled && !before.is_enabled,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'event_subscription.updated', targetType: 'event_subscription', targetId: id,
      diff: {
        before: { url: before.url, eventTypes: before.event_types, description: before.description, isEnabled: before.is_enabled },
        after: { url: after.url, eventTypes: after.event_types, description: after.description, isEnabled: after.is_enabled },
      },
    });
    return toSubscriptionView(after);
  });
}
