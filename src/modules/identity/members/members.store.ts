// Memberships of a workspace (tenant table, RLS-bound) joined with the global users.
import type { Tx } from '../../../kernel/db/database.ts';
import type { Role } from '../../access/index.ts';

export type MemberView = { userId: string; email: string; name: string; role: Role; joinedAt: string; mfaEnabled: boolean };

type Row = { user_id: string; email: string; name: string; role: Role; created_at: Date; mfa_enabled: boolean };

function toView(r: Row): MemberView {
  return { userId: r.user_id, email: r.email, name: r.name, role: r.role, joinedAt: r.created_at.toISOString(), mfaEnabled: r.mfa_enabled };
}

const SELECT = `select m.user_id, u.email, u.name, m.role, m.created_at, u.totp_enabled_at is not null as mfa_enabled
  from memberships m join users u on u.id = m.user_id`;

/** In the order they joined; the cursor is the user id of the last member of the previous page. */
export async function listMembers(tx: Tx, workspaceId: string, options: { limit: number; after?: string }): Promise<MemberView[]> {
  const { rows } = await tx.query<Row>(
    `${SELECT}
     where m.workspace_id = $1
       and ($2::uuid is null or (m.created_at, m.user_id) > (select c.created_at, c.user_id from memberships c where c.workspace_id = $1 and c.user_id = $2::uuid))
     order by m.created_at, m.user_id limit $3`,
    [workspaceId, options.after ?? null, options.limit],
  );
  return rows.map(toView);
}

export async function getMember(tx: Tx, workspaceId: string, userId: string): Promise<MemberView | null> {
  const { rows } = await tx.query<Row>(`${SELECT} where m.workspace_id = $1 and m.user_id = $2`, [workspaceId, userId]);
  return rows[0] ? toView(rows[0]) : null;
}

/**
 * Locks the target membership and every owner's, in user-id order (no deadlock between two
 * concurrent changes), so "is this the last owner?" stays true until commit.
 */
export async function lockTargetAndOwners(tx: Tx, workspaceId: string, userId: string): Promise<{ target: { role: Role } | null; ownerCount: number }> {
  const { rows } = await tx.query<{ user_id: string; role: Role }>(
    `select user_id, role from memberships where workspace_id = $1 and (role = 'owner' or user_id = $2)
     order by user_id for update`,
    [workspaceId, userId],
  );
  const target = rows.find((r) => r.user_id === userId);
  return { target: target ? { role: target.role } : null, ownerCount: rows.filter((r) => r.role === 'owner').length };
}

export async function updateMemberRole(tx: Tx, workspaceId: string, userId: string, role: Role): Promise<void> {
  await tx.query('update memberships set role = $3 where workspace_id = $1 and user_id = $2', [workspaceId, userId, role]);
}

export async function deleteMember(tx: Tx, workspaceId: string, userId: string): Promise<void> {
  await tx.query('delete from memberships where workspace_id = $1 and user_id = $2', [workspaceId, userId]);
}

export async function isMemberEmail(tx: Tx, workspaceId: string, email: string): Promise<boolean> {
  const { rows } = await tx.query(
    'select 1 from memberships m join users u on u.id = m.user_id where m.workspace_id = $1 and lower(u.email) = $2',
    [workspaceId, email],
  );
  return rows.length > 0;
}
