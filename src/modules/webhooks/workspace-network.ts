// Does the workspace let its webhooks reach private addresses (setting network.allow_private_addresses)?
import type { Tx } from '../../kernel/db/database.ts';
import { PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import type { WebhooksContext } from './webhooks.context.ts';

export async function allowsPrivateAddresses(ctx: WebhooksContext, tx: Tx, workspaceId: string): Promise<boolean> {
  const workspace = await ctx.tenancy.getWorkspace(tx, workspaceId);
  return workspace?.settings[PRIVATE_NETWORK_SETTING.key] === true;
}
