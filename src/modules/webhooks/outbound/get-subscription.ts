// GET /event-subscriptions/:id (another workspace's id answers 404).
import type { Principal } from '../../../kernel/http/principal.ts';
import { findSubscription } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { SubscriptionView } from '../webhooks.schema.ts';
import { toSubscriptionView } from '../webhooks.views.ts';

export async function getSubscription(ctx: WebhooksContext, principal: Principal, id: string): Promise<SubscriptionView> {
  const ws = principal.workspaceId;
  const row = await ctx.db.withWorkspace(ws, (tx) => findSubscription(tx, ws, id));
  if (!row) throw webhooksErrors.create('SUBSCRIPTION_NOT_FOUND');
  return toSubscriptionView(row);
}
