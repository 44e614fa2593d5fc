// GET /event-subscriptions: newest first.
import type { Principal } from '../../../kernel/http/principal.ts';
import { listSubscriptions as selectSubscriptions } from './subscriptions.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import type { SubscriptionView } from '../webhooks.schema.ts';
import { nextCursor, toSubscriptionView } from '../webhooks.views.ts';

export async function listSubscriptions(ctx: WebhooksContext, principal: Principal, q: { limit: number; cursor?: string }): Promise<{ data: SubscriptionView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const rows = await ctx.db.withWorkspace(ws, (tx) => selectSubscriptions(tx, ws, { limit: q.limit, before: q.cursor }));
  return { data: rows.map(toSubscriptionView), nextCursor: nextCursor(rows, q.limit) };
}
