// GET /webhook-endpoints: newest first.
import type { Principal } from '../../../kernel/http/principal.ts';
import { listEndpoints as selectEndpoints } from './endpoints.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import type { EndpointView } from '../webhooks.schema.ts';
import { nextCursor, toEndpointView } from '../webhooks.views.ts';

export async function listEndpoints(ctx: WebhooksContext, principal: Principal, q: { limit: number; cursor?: string }): Promise<{ data: EndpointView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const rows = await ctx.db.withWorkspace(ws, (tx) => selectEndpoints(tx, ws, { limit: q.limit, before: q.cursor }));
  return { data: rows.map((r) => toEndpointView(ctx.config.publicUrl, r)), nextCursor: nextCursor(rows, q.limit) };
}
