// POST /auth/mfa/verify: the first code from the authenticator enables TOTP and returns ten
// recovery codes, shown this once and stored as keyed hashes. Audit: `user.mfa_enabled`.
import type { AuditContext } from '../../audit/index.ts';
import type { IdentityContext, UserActor } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { enableTotp } from './mfa.store.ts';
import { checkSecondFactor } from './second-factor.ts';
import { generateRecoveryCodes, hashRecoveryCode } from './totp.ts';
import { findUserByIdForUpdate } from '../users.store.ts';

export async function verifyTotp(ctx: IdentityContext, actor: UserActor, code: string, audit: AuditContext): Promise<{ recoveryCodes: string[] }> {
  return ctx.db.withIdentity(async (tx) => {
    const user = await findUserByIdForUpdate(tx, actor.userId);
    if (!user) throw identityErrors.create('USER_NOT_FOUND');
    if (user.totp_enabled_at !== null) throw identityErrors.create('MFA_ALREADY_ENABLED');
    if (!user.totp_secret) throw identityErrors.create('MFA_NOT_ENROLLED', 'Call POST /auth/mfa/enroll first');
    const match = checkSecondFactor(ctx.keys, user, code, { allowRecoveryCode: false });
    if (!match || match.kind !== 'totp') throw identityErrors.create('MFA_CODE_INCORRECT', 'Enter the current 6-digit code from your authenticator app');
    const recoveryCodes = generateRecoveryCodes();
    await enableTotp(tx, user.id, match.step, recoveryCodes.map((c) => hashRecoveryCode(ctx.keys.recoveryCodes, c)));
    await ctx.audit.record(tx, audit, {
      workspaceId: actor.workspaceId, action: 'user.mfa_enabled', targetType: 'user', targetId: user.id,
      diff: { before: { isEnabled: false }, after: { method: 'totp', isEnabled: true, codesIssued: recoveryCodes.length } },
    });
    return { recoveryCodes };
  });
}
