// DELETE /invitations/:id: the link stops working. Revoking twice is fine; an accepted one can't be.
// Audit: `invitation.revoked` (once).
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { lockInvitation, markInvitationRevoked } from './invitations.store.ts';

export async function revokeInvitation(ctx: IdentityContext, principal: Principal, id: string, audit: AuditContext): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const invitation = await lockInvitation(tx, ws, id);
    if (!invitation) throw identityErrors.create('INVITATION_NOT_FOUND');
    if (invitation.acceptedAt) throw identityErrors.create('INVITATION_ALREADY_ACCEPTED', 'Remove the member instead');
    if (invitation.revokedAt) return;
    await markInvitationRevoked(tx, ws, id);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'invitation.revoked', targetType: 'invitation', targetId: id,
      diff: { before: { email: invitation.email, role: invitation.role, isRevoked: false }, after: { isRevoked: true } },
    });
  });
}
