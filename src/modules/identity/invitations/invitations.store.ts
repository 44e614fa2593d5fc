// Invitations to a workspace (tenant table). Tokens are stored as SHA-256 hashes.
import type { Tx } from '../../../kernel/db/database.ts';

export type InvitationRole = 'admin' | 'member' | 'viewer';

export type InvitationView = { id: string; email: string; role: InvitationRole; createdAt: string; expiresAt: string; invitedBy: string | null };

type Row = { id: string; email: string; role: InvitationRole; created_at: Date; expires_at: Date; invited_by: string | null };

const COLUMNS = 'id, email, role, created_at, expires_at, invited_by';

function toView(r: Row): InvitationView {
  return { id: r.id, email: r.email, role: r.role, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at.toISOString(), invitedBy: r.invited_by };
}

export async function listPendingInvitations(tx: Tx, workspaceId: string, options: { limit: number; before?: string }): Promise<InvitationView[]> {
  const { rows } = await tx.query<Row>(
    `select ${COLUMNS} from invitations
     where workspace_id = $1 and accepted_at is null and revoked_at is null and expires_at > now()
       and ($2::uuid is null or id < $2::uuid)
     order by id desc limit $3`,
    [workspaceId, options.before ?? null, options.limit],
  );
  return rows.map(toView);
}

/** An expired, unanswered invitation no longer blocks a new one for the same email. */
export async function retireExpiredInvitations(tx: Tx, workspaceId: string, email: string): Promise<void> {
  await tx.query(
    `update invitations set revoked_at = now()
     where workspace_id = $1 and lower(email) = $2 and accepted_at is null and revoked_at is null and expires_at <= now()`,
    [workspaceId, email],
  );
}

/** Returns null when an invitation for this email is already pending (unique partial index). */
export async function insertInvitation(
  tx: Tx,
  input: { workspaceId: string; email: string; role: InvitationRole; tokenHash: string; invitedBy: string | null; ttlDays: number },
): Promise<InvitationView | null> {
  const { rows } = await tx.query<Row>(
    `insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at)
     values ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
     on conflict (workspace_id, lower(email)) where accepted_at is null and revoked_at is null do nothing
     returning ${COLUMNS}`,
    [input.workspaceId, input.email, input.role, input.tokenHash, input.invitedBy, input.ttlDays],
  );
  return rows[0] ? toView(rows[0]) : null;
}

export type InvitationState = { id: string; email: string; role: InvitationRole; expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null };

export async function lockInvitation(tx: Tx, workspaceId: string, id: string): Promise<InvitationState | null> {
  const { rows } = await tx.query<{ id: string; email: string; role: InvitationRole; expires_at: Date; accepted_at: Date | null; revoked_at: Date | null }>(
    'select id, email, role, expires_at, accepted_at, revoked_at from invitations where workspace_id = $1 and id = $2 for update',
    [workspaceId, id],
  );
  const r = rows[0];
  return r ? { id: r.id, email: r.email, role: r.role, expiresAt: r.expires_at, acceptedAt: r.accepted_at, revokedAt: r.revoked_at } : null;
}

export async function markInvitationRevoked(tx: Tx, workspaceId: string, id: string): Promise<void> {
  await tx.query('update invitations set revoked_at = coalesce(revoked_at, now()) where workspace_id = $1 and id = $2', [workspaceId, id]);
}

export async function markInvitationAccepted(tx: Tx, workspaceId: string, id: string, userId: string): Promise<void> {
  await tx.query('update invitations set accepted_at = now(), accepted_by = $3 where workspace_id = $1 and id = $2', [workspaceId, id, userId]);
}

export type InvitationByToken = InvitationState & { workspaceId: string; workspaceName: string; workspaceStatus: string };

/** Across workspaces, by token hash only: the SECURITY DEFINER lookup made for acceptance. */
export async function findInvitationByTokenHash(tx: Tx, tokenHash: string): Promise<InvitationByToken | null> {
  const { rows } = await tx.query<{
    workspace_id: string; id: string; email: string; role: InvitationRole; expires_at: Date; accepted_at: Date | null;
    revoked_at: Date | null; workspace_name: string; workspace_status: string;
  }>('select * from atrium_find_invitation($1)', [tokenHash]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, workspaceId: r.workspace_id, email: r.email, role: r.role, expiresAt: r.expires_at, acceptedAt: r.accepted_at,
    revokedAt: r.revoked_at, workspaceName: r.workspace_name, workspaceStatus: r.workspace_status,
  };
}

export async function getWorkspaceName(tx: Tx, workspaceId: string): Promise<string | null> {
  const { rows } = await tx.query<{ name: string }>('select name from workspace_directory where id = $1', [workspaceId]);
  return rows[0]?.name ?? null;
}
