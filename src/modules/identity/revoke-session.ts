// DELETE /auth/sessions/:id and POST /auth/logout: a user ends one of their own sessions.
// Someone else's session id answers 404, exactly like an unknown one.
import type { IdentityContext, UserActor } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import { isUserSession } from './sessions.store.ts';

export async function revokeOwnSession(ctx: IdentityContext, actor: UserActor, sessionId: string, reason: 'logout' | 'revoked_by_user'): Promise<void> {
  await ctx.db.withIdentity(async (tx) => {
    if (!(await isUserSession(tx, actor.userId, sessionId))) throw identityErrors.create('SESSION_NOT_FOUND');
    await ctx.sessions.revokeSession(tx, sessionId, reason);
  });
  ctx.invalidateSessionCache(sessionId);
}
