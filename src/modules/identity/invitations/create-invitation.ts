// POST /invitations: invite an email with a role no higher than the inviter's. The invitation
// and its mail (outbox) are written in one transaction; the token only travels in the mail.
// Audit: `invitation.created`.
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { canGrantRole } from '../../access/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { composeInvitationMail } from './invitation-mail.ts';
import { getWorkspaceName, insertInvitation, retireExpiredInvitations } from './invitations.store.ts';
import type { InvitationRole, InvitationView } from './invitations.store.ts';
import { isMemberEmail } from '../members/members.store.ts';
import { randomToken, sha256 } from '../tokens.ts';
import { findUserById, normalizeEmail } from '../users.store.ts';

export const INVITATION_TTL_DAYS = 7;

export async function createInvitation(ctx: IdentityContext, principal: Principal, input: { email: string; role: InvitationRole }, audit: AuditContext): Promise<InvitationView> {
  if (!canGrantRole(principal.role, input.role)) {
    throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${principal.role}) cannot invite someone as ${input.role}`);
  }
  const ws = principal.workspaceId;
  const email = normalizeEmail(input.email);
  const token = randomToken('inv_');
  return ctx.db.withWorkspace(ws, async (tx) => {
    if (await isMemberEmail(tx, ws, email)) throw identityErrors.create('ALREADY_MEMBER', `${email} is already a member of this workspace`);
    await retireExpiredInvitations(tx, ws, email);
    const inviterId = principal.kind === 'user' ? principal.userId : null;
    const invitation = await insertInvitation(tx, { workspaceId: ws, email, role: input.role, tokenHash: sha256(token), invitedBy: inviterId, ttlDays: INVITATION_TTL_DAYS });
    if (!invitation) throw identityErrors.create('INVITATION_PENDING', `An invitation for ${email} is already pending; revoke it to send a new one`);
    const inviter = inviterId ? await findUserById(tx, inviterId) : null;
    const mail = composeInvitationMail({
      workspaceName: (await getWorkspaceName(tx, ws)) ?? 'a workspace',
      inviterName: inviter ? inviter.name || inviter.email : 'Someone',
      role: input.role,
      acceptUrl: `${ctx.config.publicUrl.replace(/\/$/, '')}/invite/${token}`,
      expiresAt: new Date(invitation.expiresAt),
    });
    await ctx.mail.enqueue(tx, { workspaceId: ws, to: email, ...mail, kind: 'invitation' });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'invitation.created', targetType: 'invitation', targetId: invitation.id,
      diff: { after: { email, role: input.role, expiresAt: invitation.expiresAt } },
    });
    return invitation;
  });
}
