// POST /auth/mfa/recovery-codes: a valid code (TOTP or a remaining recovery code) replaces every
// recovery code with ten new ones. Wrong codes count in the login throttle.
// Audit: `user.mfa_recovery_codes_regenerated` (a count, never the codes).
import type { AuditContext } from '../../audit/index.ts';
import type { ClientInfo, IdentityContext, UserActor } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { beginAttempt, clearAttempts, failAttempt } from '../login-throttle.ts';
import { replaceRecoveryCodes } from './mfa.store.ts';
import { checkSecondFactor, consumeSecondFactor } from './second-factor.ts';
import { generateRecoveryCodes, hashRecoveryCode } from './totp.ts';
import { findUserById, findUserByIdForUpdate } from '../users.store.ts';

export async function regenerateRecoveryCodes(ctx: IdentityContext, actor: UserActor, code: string, client: ClientInfo, audit: AuditContext): Promise<{ recoveryCodes: string[] }> {
  const user = await ctx.db.withIdentity((tx) => findUserById(tx, actor.userId));
  if (!user) throw identityErrors.create('USER_NOT_FOUND');
  if (user.totp_enabled_at === null) throw identityErrors.create('MFA_NOT_ENABLED');
  const attempt = await beginAttempt(ctx.db, user.email, client.ip);
  const outcome = await ctx.db.withIdentity(async (tx) => {
    const locked = await findUserByIdForUpdate(tx, actor.userId);
    if (!locked || locked.totp_enabled_at === null) return { kind: 'not_enabled' as const };
    const match = checkSecondFactor(ctx.keys, locked, code, { allowRecoveryCode: true });
    if (!match) return { kind: 'code_incorrect' as const };
    if (match.kind === 'totp') await consumeSecondFactor(tx, locked.id, match);
    const recoveryCodes = generateRecoveryCodes();
    await replaceRecoveryCodes(tx, locked.id, recoveryCodes.map((c) => hashRecoveryCode(ctx.keys.recoveryCodes, c)));
    await ctx.audit.record(tx, audit, {
      workspaceId: actor.workspaceId, action: 'user.mfa_recovery_codes_regenerated', targetType: 'user', targetId: locked.id,
      diff: { before: { remaining: locked.recovery_codes.length }, after: { remaining: recoveryCodes.length } },
    });
    return { kind: 'ok' as const, recoveryCodes };
  });
  if (outcome.kind === 'not_enabled') throw identityErrors.create('MFA_NOT_ENABLED');
  if (outcome.kind === 'code_incorrect') {
    await failAttempt(ctx.db, user.email, client.ip, attempt);
    throw identityErrors.create('MFA_CODE_INCORRECT');
  }
  await clearAttempts(ctx.db, user.email, client.ip);
  return { recoveryCodes: outcome.recoveryCodes };
}
