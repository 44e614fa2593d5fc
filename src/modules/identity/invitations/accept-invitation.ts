// POST /invitations/accept: joins the invited email to the workspace and logs it in there.
// An existing account proves itself with its password (throttled like a login) and, with TOTP
// enabled, a code; otherwise the account is created. Membership, acceptance and the session
// are written in one transaction bound to the invitation's workspace. Audit: `invitation.accepted`,
// by the (new or existing) user.
import type { AuditContext } from '../../audit/index.ts';
import { withActor } from '../../audit/index.ts';
import type { ClientInfo, IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { lockInvitation, markInvitationAccepted } from './invitations.store.ts';
import { assertInvitationUsable, findInvitationByToken } from './lookup-invitation.ts';
import { beginAttempt, clearAttempts, failAttempt } from '../login-throttle.ts';
import { getMember } from '../members/members.store.ts';
import { assertPasswordStrength, hashPassword, verifyPassword } from '../passwords.ts';
import { checkSecondFactor, consumeSecondFactor } from '../mfa/second-factor.ts';
import type { TokenPair } from '../sessions.ts';
import { addMembership, findUserByIdForUpdate, insertUser } from '../users.store.ts';
import type { UserRow } from '../users.store.ts';

export type AcceptInvitationInput = { token: string; password: string; name?: string; code?: string };

export async function acceptInvitation(ctx: IdentityContext, input: AcceptInvitationInput, client: ClientInfo, audit: AuditContext): Promise<TokenPair & { workspaceId: string }> {
  const { invitation, user: existing } = await findInvitationByToken(ctx, input.token);
  assertInvitationUsable(invitation);

  let attempt = 0;
  let newPasswordHash: string | null = null;
  if (existing) {
    attempt = await beginAttempt(ctx.db, existing.email, client.ip);
    if (!(await verifyPassword(existing.password_hash, input.password))) {
      await failAttempt(ctx.db, existing.email, client.ip, attempt);
      throw identityErrors.create('INVALID_CREDENTIALS', 'This email already has an Atrium account: enter its password');
    }
    // The attempt stays counted until the second factor is given too.
    if (existing.totp_enabled_at !== null && !input.code) throw identityErrors.create('MFA_REQUIRED', 'Enter the code from your authenticator app');
  } else {
    assertPasswordStrength(input.password);
    newPasswordHash = await hashPassword(input.password);
  }

  const ws = invitation.workspaceId;
  const outcome = await ctx.db.withWorkspace(ws, async (tx) => {
    const locked = await lockInvitation(tx, ws, invitation.id);
    if (!locked || locked.revokedAt || locked.expiresAt <= new Date()) return { kind: 'gone' as const };
    if (locked.acceptedAt) return { kind: 'accepted' as const };
    let user: UserRow | null;
    if (existing) {
      user = await findUserByIdForUpdate(tx, existing.id);
      if (!user) return { kind: 'gone' as const };
      if (await getMember(tx, ws, user.id)) return { kind: 'already_member' as const };
      if (user.totp_enabled_at !== null) {
        const match = checkSecondFactor(ctx.keys, user, input.code ?? '', { allowRecoveryCode: true });
        if (!match) return { kind: 'code_invalid' as const };
        await consumeSecondFactor(tx, user.id, match);
      }
    } else {
      user = await insertUser(tx, { email: locked.email, name: input.name?.trim() ?? '', passwordHash: newPasswordHash });
      // Someone created an account with this email in between: let them retry as that account.
      if (!user) return { kind: 'email_taken' as const };
    }
    await addMembership(tx, { workspaceId: ws, userId: user.id, role: locked.role });
    await markInvitationAccepted(tx, ws, locked.id, user.id);
    const pair = await ctx.sessions.openSession(tx, {
      userId: user.id, workspaceId: ws, role: locked.role, isPlatformAdmin: user.is_platform_admin, ip: client.ip, userAgent: client.userAgent,
    });
    await ctx.audit.record(tx, withActor(audit, { type: 'user', id: user.id }), {
      workspaceId: ws, action: 'invitation.accepted', targetType: 'invitation', targetId: locked.id,
      diff: { after: { userId: user.id, email: locked.email, role: locked.role, isNewUser: !existing, sessionId: pair.sessionId } },
    });
    return { kind: 'ok' as const, pair: { ...pair, workspaceId: ws } };
  });

  switch (outcome.kind) {
    case 'gone': throw identityErrors.create('INVITATION_EXPIRED');
    case 'accepted': throw identityErrors.create('INVITATION_ALREADY_ACCEPTED');
    case 'already_member': throw identityErrors.create('ALREADY_MEMBER', 'You are already a member of this workspace; log in to reach it');
    case 'email_taken': throw identityErrors.create('EMAIL_TAKEN', 'An account with this email was just created; accept again with its password');
    case 'code_invalid':
      await failAttempt(ctx.db, existing!.email, client.ip, attempt);
      throw identityErrors.create('MFA_CODE_INVALID');
  }
  if (existing) await clearAttempts(ctx.db, existing.email, client.ip);
  return outcome.pair;
}
