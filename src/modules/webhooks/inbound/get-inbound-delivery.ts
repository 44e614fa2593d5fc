// GET /webhook-endpoints/:id/deliveries/:deliveryId: headers, body, answer and replays.
import type { Principal } from '../../../kernel/http/principal.ts';
import { findInbound, listReplays } from './endpoints.store.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { InboundDeliveryDetail } from '../webhooks.schema.ts';
import { toInboundDetail } from '../webhooks.views.ts';

export async function getInboundDelivery(ctx: WebhooksContext, principal: Principal, endpointId: string, id: string): Promise<InboundDeliveryDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const row = await findInbound(tx, ws, endpointId, id);
    if (!row) throw webhooksErrors.create('DELIVERY_NOT_FOUND');
    return toInboundDetail(row, await listReplays(tx, ws, id));
  });
}
