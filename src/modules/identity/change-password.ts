// POST /auth/password: the current password is checked (throttled like a login), the new one
// must be strong, and every other session of the user is revoked. Audit: `user.password_changed`
// in the workspace the user acts in (never the password, not even hashed).
import type { AuditContext } from '../audit/index.ts';
import type { ClientInfo, IdentityContext, UserActor } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import { beginAttempt, clearAttempts, failAttempt } from './login-throttle.ts';
import { assertPasswordStrength, hashPassword, verifyPassword } from './passwords.ts';
import { findUserById, updatePasswordHash } from './users.store.ts';

export async function changePassword(
  ctx: IdentityContext,
  actor: UserActor,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
  audit: AuditContext,
): Promise<{ revokedSessions: number }> {
  const user = await ctx.db.withIdentity((tx) => findUserById(tx, actor.userId));
  if (!user) throw identityErrors.create('USER_NOT_FOUND');
  const attempt = await beginAttempt(ctx.db, user.email, client.ip);
  if (!user.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    await failAttempt(ctx.db, user.email, client.ip, attempt);
    throw identityErrors.create('PASSWORD_INCORRECT', 'The current password is incorrect');
  }
  await clearAttempts(ctx.db, user.email, client.ip);
  assertPasswordStrength(input.newPassword);
  if (input.newPassword === input.currentPassword) throw identityErrors.create('WEAK_PASSWORD', 'Choose a password different from the current one');
  const nextHash = await hashPassword(input.newPassword);
  const previousHash = user.password_hash;
  const revoked = await ctx.db.withIdentity(async (tx) => {
    // Compare-and-set: a concurrent change in between makes this one fail instead of overwrite.
    if (!(await updatePasswordHash(tx, actor.userId, previousHash, nextHash))) {
      throw identityErrors.create('PASSWORD_INCORRECT', 'The password was changed meanwhile; try again');
    }
    const revokedIds = await ctx.sessions.revokeOtherUserSessions(tx, actor.userId, actor.sessionId, 'password_changed');
    await ctx.audit.record(tx, audit, {
      workspaceId: actor.workspaceId, action: 'user.password_changed', targetType: 'user', targetId: actor.userId,
      diff: { after: { revokedSessions: revokedIds.length } },
    });
    return revokedIds;
  });
  for (const id of revoked) ctx.invalidateSessionCache(id);
  return { revokedSessions: revoked.length };
}
