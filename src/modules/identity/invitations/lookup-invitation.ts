// GET /invitations/lookup?token=…: what the accept page shows before asking for a password.
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { findInvitationByTokenHash } from './invitations.store.ts';
import type { InvitationByToken, InvitationRole } from './invitations.store.ts';
import { sha256 } from '../tokens.ts';
import { findUserByEmail } from '../users.store.ts';
import type { UserRow } from '../users.store.ts';

/** 404 unknown, 409 already accepted, 410 revoked, expired or its workspace is not active. */
export function assertInvitationUsable(invitation: InvitationByToken | null): asserts invitation is InvitationByToken {
  if (!invitation) throw identityErrors.create('INVITATION_NOT_FOUND');
  if (invitation.acceptedAt) throw identityErrors.create('INVITATION_ALREADY_ACCEPTED', 'Log in to reach the workspace');
  if (invitation.revokedAt) throw identityErrors.create('INVITATION_EXPIRED', 'This invitation was revoked; ask for a new one');
  if (invitation.expiresAt <= new Date()) throw identityErrors.create('INVITATION_EXPIRED', 'This invitation has expired; ask for a new one');
  if (invitation.workspaceStatus !== 'active') throw identityErrors.create('INVITATION_EXPIRED', 'This workspace is not available');
}

/** The invitation behind a token and the account its email already has, if any. */
export async function findInvitationByToken(ctx: IdentityContext, token: string): Promise<{ invitation: InvitationByToken | null; user: UserRow | null }> {
  return ctx.db.withIdentity(async (tx) => {
    const invitation = await findInvitationByTokenHash(tx, sha256(token));
    return { invitation, user: invitation ? await findUserByEmail(tx, invitation.email) : null };
  });
}

export type InvitationPreview = { workspaceName: string; email: string; role: InvitationRole; hasAccount: boolean; expiresAt: string };

export async function lookupInvitation(ctx: IdentityContext, token: string): Promise<InvitationPreview> {
  const { invitation, user } = await findInvitationByToken(ctx, token);
  assertInvitationUsable(invitation);
  return { workspaceName: invitation.workspaceName, email: invitation.email, role: invitation.role, hasAccount: user !== null, expiresAt: invitation.expiresAt.toISOString() };
}
