// GET /webhook-endpoints/:id (another workspace's id answers 404).
import type { Principal } from '../../../kernel/http/principal.ts';
import { findEndpoint } from './endpoints.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { EndpointView } from '../webhooks.schema.ts';
import { toEndpointView } from '../webhooks.views.ts';

export async function getEndpoint(ctx: WebhooksContext, principal: Principal, id: string): Promise<EndpointView> {
  const ws = principal.workspaceId;
  const row = await ctx.db.withWorkspace(ws, (tx) => findEndpoint(tx, ws, id));
  if (!row) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
  return toEndpointView(ctx.config.publicUrl, row);
}
