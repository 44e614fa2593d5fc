// POST /event-subscriptions: a URL that receives the workspace's events of the given types,
// signed with its own secret (shown once).
import type { Principal } from '../../../kernel/http/principal.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import type { AuditContext } from '../../audit/index.ts';
import { generateSecret, sealSecret } from '../signing.ts';
import { assertAllowedTarget, assertKnownEventTypes } from './subscription-target.ts';
import { insertSubscription } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import type { SubscriptionView } from '../webhooks.schema.ts';
import { toSubscriptionView } from '../webhooks.views.ts';

export type CreateSubscriptionInput = { url: string; eventTypes: string[]; description?: string; isEnabled?: boolean };

export async function createSubscription(ctx: WebhooksContext, principal: Principal, audit: AuditContext, input: CreateSubscriptionInput): Promise<SubscriptionView & { secret: string }> {
  const ws = principal.workspaceId;
  assertKnownEventTypes(ctx, input.eventTypes);
  const id = uuidv7();
  const secret = generateSecret();
  const view = await ctx.db.withWorkspace(ws, async (tx) => {
    await assertAllowedTarget(ctx, tx, ws, input.url);
    const row = await insertSubscription(tx, {
      workspaceId: ws, id, url: input.url, eventTypes: input.eventTypes, description: input.description ?? '', isEnabled: input.isEnabled ?? true,
      secretSealed: sealSecret(ctx.sealingKey, { kind: 'subscription', workspaceId: ws, id }, secret), createdBy: principal.userId,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'event_subscription.created', targetType: 'event_subscription', targetId: id,
      diff: { before: null, after: { url: row.url, eventTypes: row.event_types, isEnabled: row.is_enabled } },
    });
    return toSubscriptionView(row);
  });
  return { ...view, secret };
}
