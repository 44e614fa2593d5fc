// The user directory as platform admins see it, across workspaces: for transactions of the
// platform path (db.withPlatform) only, never a tenant transaction. Exposed through identity's
// index as `identity.directory`, so no other module queries users or memberships.
import type { Tx } from '../../kernel/db/database.ts';

export type WorkspaceMember = { userId: string; email: string; name: string; role: string; joinedAt: string };
export type AdminUser = { id: string; email: string; name: string; isPlatformAdmin: boolean; createdAt: string; workspaceCount: number };

export async function countMembers(tx: Tx, workspaceIds: string[]): Promise<Map<string, number>> {
  if (workspaceIds.length === 0) return new Map();
  const { rows } = await tx.query<{ workspace_id: string; n: number }>(
    'select workspace_id, count(*)::int as n from memberships where workspace_id = any($1::uuid[]) group by workspace_id',
    [workspaceIds],
  );
  return new Map(rows.map((r) => [r.workspace_id, r.n]));
}

export async function listWorkspaceMembers(tx: Tx, workspaceId: string): Promise<WorkspaceMember[]> {
  const { rows } = await tx.query<{ user_id: string; email: string; name: string; role: string; created_at: Date }>(
    `select m.user_id, u.email, u.name, m.role, m.created_at
     from memberships m join users u on u.id = m.user_id
     where m.workspace_id = $1 order by m.created_at, u.email`,
    [workspaceId],
  );
  return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, joinedAt: r.created_at.toISOString() }));
}

export async function searchUsers(tx: Tx, s: { q?: string; limit: number; offset: number }): Promise<{ data: AdminUser[]; total: number }> {
  const params = [s.q ? `%${s.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null, (s.q ?? '').toLowerCase()];
  const where = 'where ($1::text is null or u.email ilike $1 or u.name ilike $1 or u.id::text = $2)';
  const { rows } = await tx.query<{ id: string; email: string; name: string; is_platform_admin: boolean; created_at: Date; workspace_count: number; total: number }>(
    `select u.id, u.email, u.name, u.is_platform_admin, u.created_at,
       (select count(*)::int from memberships m join workspace_directory w on w.id = m.workspace_id
        where m.user_id = u.id and w.status <> 'deleted') as workspace_count,
       count(*) over () as total
     from users u ${where}
     order by u.created_at desc, u.id desc limit $3 offset $4`,
    [...params, s.limit, s.offset],
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && s.offset > 0) {
    const count = await tx.query<{ n: number }>(`select count(*)::int as n from users u ${where}`, params);
    total = count.rows[0].n;
  }
  const data = rows.map((r) => ({
    id: r.id, email: r.email, name: r.name, isPlatformAdmin: r.is_platform_admin, createdAt: r.created_at.toISOString(), workspaceCount: r.workspace_count,
  }));
  return { data, total };
}

/** Make an existing user a platform admin; sets a password only if they have none. */
export async function promoteToPlatformAdmin(tx: Tx, userId: string, passwordHash: string | null): Promise<void> {
  await tx.query('update users set is_platform_admin = true, password_hash = coalesce(password_hash, $2) where id = $1', [userId, passwordHash]);
}
