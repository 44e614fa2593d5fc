// GET /auth/me in one statement (the route is benchmarked): the current workspace (RLS-bound),
// the user, and their active memberships (SECURITY DEFINER atrium_user_memberships).
// Parameters: $1 user id (null for an API key), $2 workspace id.
import type { Database } from '../../kernel/db/database.ts';
import type { Role } from '../access/index.ts';

export const ME_SQL = `select
  (select json_build_object('id', w.id, 'slug', w.slug, 'name', w.name, 'plan', w.plan, 'status', w.status,
                            'parentId', w.parent_id, 'kind', w.kind)
     from workspace_directory w where w.id = $2) as workspace,
  (select json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'isPlatformAdmin', u.is_platform_admin,
                            'mfaEnabled', u.totp_enabled_at is not null)
     from users u where u.id = $1) as "user",
  coalesce((select json_agg(json_build_object('workspaceId', m.workspace_id, 'slug', m.slug, 'name', m.name,
                                              'role', m.role, 'parentId', m.parent_id))
     from atrium_user_memberships($1) m where m.status = 'active'), '[]'::json) as memberships`;

export type MeWorkspace = { id: string; slug: string; name: string; plan: string; status: string; parentId: string | null; kind: string };
export type MeUser = { id: string; email: string; name: string; isPlatformAdmin: boolean; mfaEnabled: boolean };
export type MeMembership = { workspaceId: string; slug: string; name: string; role: Role; parentId: string | null };

/** One statement, one round trip (readInWorkspace): this route is on every console page load. */
export async function readMe(db: Database, userId: string | null, workspaceId: string): Promise<{ workspace: MeWorkspace | null; user: MeUser | null; memberships: MeMembership[] }> {
  const rows = await db.readInWorkspace<{ workspace: MeWorkspace | null; user: MeUser | null; memberships: MeMembership[] }>(workspaceId, { name: 'identity_me', text: ME_SQL, values: [userId, workspaceId] });
  return rows[0];
}
