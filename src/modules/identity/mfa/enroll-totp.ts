// POST /auth/mfa/enroll: a new TOTP secret, stored sealed (AES-256-GCM, bound to the user id)
// and pending until a first code is verified. Enrolling again replaces a pending secret.
// Audit: `user.mfa_enrolled` (the secret never leaves this response).
import type { AuditContext } from '../../audit/index.ts';
import QRCode from 'qrcode';
import { encrypt } from '../../../kernel/crypto.ts';
import type { IdentityContext, UserActor } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { setPendingTotpSecret } from './mfa.store.ts';
import { generateTotpSecret, totpUri } from './totp.ts';
import { findUserByIdForUpdate } from '../users.store.ts';

export type TotpEnrollment = { secret: string; otpauthUri: string; qrCodeDataUrl: string };

export async function enrollTotp(ctx: IdentityContext, actor: UserActor, audit: AuditContext): Promise<TotpEnrollment> {
  const secret = generateTotpSecret();
  const email = await ctx.db.withIdentity(async (tx) => {
    const user = await findUserByIdForUpdate(tx, actor.userId);
    if (!user) throw identityErrors.create('USER_NOT_FOUND');
    if (user.totp_enabled_at !== null) throw identityErrors.create('MFA_ALREADY_ENABLED', 'Disable it first to enroll a new authenticator');
    await setPendingTotpSecret(tx, user.id, encrypt(ctx.keys.totp, secret, user.id));
    await ctx.audit.record(tx, audit, { workspaceId: actor.workspaceId, action: 'user.mfa_enrolled', targetType: 'user', targetId: user.id, diff: { after: { method: 'totp', isEnabled: false } } });
    return user.email;
  });
  const otpauthUri = totpUri(secret, email);
  const qrCodeDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  return { secret, otpauthUri, qrCodeDataUrl };
}
