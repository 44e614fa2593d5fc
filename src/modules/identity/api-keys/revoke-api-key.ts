// DELETE /api-keys/:id: revoked keys are refused at once by this process, within 2 s by others
// (the authenticator's cache, as for sessions).
// Audit: `api_key.revoked` when the key was live (revoking twice changes nothing).
// api_key.revoke may be conditional (a custom role "may revoke only the keys they created"): the
// route gate lets any holder through, and the key itself is checked here (403 when outside).
import { kernelErrors } from '../../../kernel/errors.ts';
import { can } from '../../access/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { lockApiKey, revokeApiKeyWithState } from './api-keys.store.ts';
import { requireUser } from '../identity.context.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';

export async function revokeApiKey(ctx: IdentityContext, principal: Principal, id: string, audit: AuditContext): Promise<void> {
  const actor = requireUser(principal);
  const ws = actor.workspaceId;
  const isFound = await ctx.db.withWorkspace(ws, async (tx) => {
    const current = await lockApiKey(tx, ws, id);
    if (!current) return false;
    if (!can(principal, 'api_key.revoke', { createdBy: current.createdBy, role: current.role })) {
      throw kernelErrors.create('FORBIDDEN', 'Your roles let you revoke only some API keys, not this one');
    }
    const key = await revokeApiKeyWithState(tx, ws, id);
    if (!key) return false;
    if (key.wasActive) {
      await ctx.audit.record(tx, audit, {
        workspaceId: ws, action: 'api_key.revoked', targetType: 'api_key', targetId: id,
        diff: { before: { name: key.name, prefix: key.prefix, role: key.role, isRevoked: false }, after: { isRevoked: true } },
      });
    }
    return true;
  });
  if (!isFound) throw identityErrors.create('API_KEY_NOT_FOUND');
  ctx.invalidateSessionCache(); // the key's cached row (authenticate.ts), at once in this process
}
