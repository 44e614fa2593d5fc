// GET /webhook-endpoints/:id/deliveries: what the endpoint received, newest first.
import type { Principal } from '../../../kernel/http/principal.ts';
import { findEndpoint, listInbound } from './endpoints.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { InboundDeliveryView } from '../webhooks.schema.ts';
import { nextCursor, toInboundView } from '../webhooks.views.ts';

export async function listInboundDeliveries(ctx: WebhooksContext, principal: Principal, endpointId: string, q: { limit: number; cursor?: string; outcome?: string }): Promise<{ data: InboundDeliveryView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const rows = await ctx.db.withWorkspace(ws, async (tx) => {
    if (!(await findEndpoint(tx, ws, endpointId))) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
    return listInbound(tx, ws, endpointId, { limit: q.limit, before: q.cursor, outcome: q.outcome });
  });
  return { data: rows.map(toInboundView), nextCursor: nextCursor(rows, q.limit) };
}
