// DELETE /api-keys/:id: revoked keys are refused at once (API keys are checked on every request).
import type { Principal } from '../../kernel/http/principal.ts';
import { revokeApiKey as markRevoked } from './api-keys.store.ts';
import { requireUser } from './identity.context.ts';
import type { IdentityContext } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';

export async function revokeApiKey(ctx: IdentityContext, principal: Principal, id: string): Promise<void> {
  const actor = requireUser(principal);
  const isFound = await ctx.db.withWorkspace(actor.workspaceId, (tx) => markRevoked(tx, actor.workspaceId, id));
  if (!isFound) throw identityErrors.create('API_KEY_NOT_FOUND');
}
