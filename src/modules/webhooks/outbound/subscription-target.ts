// A subscription's URL and event types, checked on creation and change. The URL check here
// catches what is known without DNS (literal private IPs, localhost); every delivery checks
// the resolved addresses again.
import type { Tx } from '../../../kernel/db/database.ts';
import { checkUrlTarget } from '../../../kernel/net/public-address.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import { allowsPrivateAddresses } from '../workspace-network.ts';

export async function assertAllowedTarget(ctx: WebhooksContext, tx: Tx, workspaceId: string, url: string): Promise<void> {
  const refusal = checkUrlTarget(url, { allowPrivate: await allowsPrivateAddresses(ctx, tx, workspaceId) });
  if (refusal) throw webhooksErrors.create('TARGET_NOT_ALLOWED', `The URL ${refusal}`);
}

export function assertKnownEventTypes(ctx: WebhooksContext, types: string[]): void {
  const unknown = types.filter((t) => !ctx.eventTypes.has(t));
  if (unknown.length) throw webhooksErrors.create('UNKNOWN_EVENT_TYPE', `Unknown event type(s): ${unknown.join(', ')} (see GET /api/v1/event-types)`);
}
