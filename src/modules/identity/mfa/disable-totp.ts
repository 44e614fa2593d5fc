// POST /auth/mfa/disable: needs the password and a code (TOTP or a recovery code, for a lost
// device). Both checks count as attempts in the login throttle until the whole thing succeeds.
// Audit: `user.mfa_disabled`.
import type { AuditContext } from '../../audit/index.ts';
import type { ClientInfo, IdentityContext, UserActor } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { beginAttempt, clearAttempts, failAttempt } from '../login-throttle.ts';
import { disableTotp as clearTotp } from './mfa.store.ts';
import { verifyPassword } from '../passwords.ts';
import { checkSecondFactor } from './second-factor.ts';
import { findUserById, findUserByIdForUpdate } from '../users.store.ts';

export async function disableTotp(ctx: IdentityContext, actor: UserActor, input: { password: string; code: string }, client: ClientInfo, audit: AuditContext): Promise<void> {
  const user = await ctx.db.withIdentity((tx) => findUserById(tx, actor.userId));
  if (!user) throw identityErrors.create('USER_NOT_FOUND');
  if (user.totp_enabled_at === null) throw identityErrors.create('MFA_NOT_ENABLED');
  const attempt = await beginAttempt(ctx.db, user.email, client.ip);
  if (!(await verifyPassword(user.password_hash, input.password))) {
    await failAttempt(ctx.db, user.email, client.ip, attempt);
    throw identityErrors.create('PASSWORD_INCORRECT');
  }
  const outcome = await ctx.db.withIdentity(async (tx) => {
    const locked = await findUserByIdForUpdate(tx, actor.userId);
    if (!locked || locked.totp_enabled_at === null) return 'not_enabled' as const;
    if (!checkSecondFactor(ctx.keys, locked, input.code, { allowRecoveryCode: true })) return 'code_incorrect' as const;
    await clearTotp(tx, locked.id);
    await ctx.audit.record(tx, audit, {
      workspaceId: actor.workspaceId, action: 'user.mfa_disabled', targetType: 'user', targetId: locked.id,
      diff: { before: { isEnabled: true }, after: { isEnabled: false } },
    });
    return 'ok' as const;
  });
  if (outcome === 'not_enabled') throw identityErrors.create('MFA_NOT_ENABLED');
  if (outcome === 'code_incorrect') {
    await failAttempt(ctx.db, user.email, client.ip, attempt);
    throw identityErrors.create('MFA_CODE_INCORRECT');
  }
  await clearAttempts(ctx.db, user.email, client.ip);
}
