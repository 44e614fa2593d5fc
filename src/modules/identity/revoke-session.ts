// DELETE /auth/sessions/:id and POST /auth/logout: a user ends one of their own sessions.
// Someone else's session id answers 404, exactly like an unknown one. Audit, in the workspace
// the user acts in: `user.logged_out` (their current session) or `session.revoked`.
import type { AuditContext } from '../audit/index.ts';
import type { IdentityContext, UserActor } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import { isUserSession } from './sessions.store.ts';

export async function revokeOwnSession(ctx: IdentityContext, actor: UserActor, sessionId: string, reason: 'logout' | 'revoked_by_user', audit: AuditContext): Promise<void> {
  await ctx.db.withIdentity(async (tx) => {
    if (!(await isUserSession(tx, actor.userId, sessionId))) throw identityErrors.create('SESSION_NOT_FOUND');
    const isRevoked = await ctx.sessions.revokeSession(tx, sessionId, reason);
    if (!isRevoked) return; // already ended: nothing changed
    await ctx.audit.record(tx, audit, {
      workspaceId: actor.workspaceId,
      action: reason === 'logout' ? 'user.logged_out' : 'session.revoked',
      targetType: 'session',
      targetId: sessionId,
      diff: { after: { reason, userId: actor.userId, isCurrent: sessionId === actor.sessionId } },
    });
  });
  ctx.invalidateSessionCache(sessionId);
}
