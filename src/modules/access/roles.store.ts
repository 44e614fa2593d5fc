// Custom roles of a workspace, their grants and their assignments (tenant tables, RLS-bound).
import type { Tx } from '../../kernel/db/database.ts';
import type { Grant } from './abilities.ts';

export type CustomRoleView = {
  id: string;
  name: string;
  description: string;
  permissions: Grant[];
  memberCount: number;
  apiKeyCount: number;
  createdAt: string;
  updatedAt: string;
};

type Row = { id: string; name: string; description: string; permissions: Grant[]; member_count: number; api_key_count: number; created_at: Date; updated_at: Date };

const SELECT = `select r.id, r.name, r.description, r.created_at, r.updated_at,
    coalesce((select json_agg(json_build_object('permission', rp.permission, 'conditions', rp.conditions) order by rp.permission)
               from role_permissions rp where rp.workspace_id = r.workspace_id and rp.role_id = r.id), '[]'::json) as permissions,
    (select count(*)::int from membership_roles mr where mr.workspace_id = r.workspace_id and mr.role_id = r.id) as member_count,
    (select count(*)::int from api_key_roles kr where kr.workspace_id = r.workspace_id and kr.role_id = r.id) as api_key_count
  from roles r`;

function toView(r: Row): CustomRoleView {
  return {
    id: r.id, name: r.name, description: r.description, permissions: r.permissions, memberCount: r.member_count, apiKeyCount: r.api_key_count,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

/** Every custom role, by name (a workspace has at most MAX_ROLES). */
export async function listRoles(tx: Tx, workspaceId: string): Promise<CustomRoleView[]> {
  const { rows } = await tx.query<Row>(`${SELECT} where r.workspace_id = $1 order by lower(r.name), r.id`, [workspaceId]);
  return rows.map(toView);
}

export async function getRole(tx: Tx, workspaceId: string, id: string, options: { lock?: boolean } = {}): Promise<CustomRoleView | null> {
  if (options.lock) await tx.query('select 1 from roles where workspace_id = $1 and id = $2 for update', [workspaceId, id]);
  const { rows } = await tx.query<Row>(`${SELECT} where r.workspace_id = $1 and r.id = $2`, [workspaceId, id]);
  return rows[0] ? toView(rows[0]) : null;
}

export async function countRoles(tx: Tx, workspaceId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from roles where workspace_id = $1', [workspaceId]);
  return rows[0].n;
}

export async function isRoleNameTaken(tx: Tx, workspaceId: string, name: string, exceptId?: string): Promise<boolean> {
  const { rows } = await tx.query(
    'select 1 from roles where workspace_id = $1 and lower(name) = lower($2) and ($3::uuid is null or id <> $3::uuid)',
    [workspaceId, name, exceptId ?? null],
  );
  return rows.length > 0;
}

export async function insertRole(tx: Tx, input: { workspaceId: string; name: string; description: string; createdBy: string | null }): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    'insert into roles (workspace_id, name, description, created_by) values ($1, $2, $3, $4) returning id',
    [input.workspaceId, input.name, input.description, input.createdBy],
  );
  return rows[0].id;
}

export async function updateRoleFields(tx: Tx, workspaceId: string, id: string, fields: { name?: string; description?: string }): Promise<void> {
  await tx.query(
    'update roles set name = coalesce($3, name), description = coalesce($4, description) where workspace_id = $1 and id = $2',
    [workspaceId, id, fields.name ?? null, fields.description ?? null],
  );
}

/** Replace a role's grants. */
export async function replaceGrants(tx: Tx, workspaceId: string, roleId: string, grants: readonly Grant[]): Promise<void> {
  await tx.query('delete from role_permissions where workspace_id = $1 and role_id = $2', [workspaceId, roleId]);
  if (grants.length === 0) return;
  await tx.query(
    `insert into role_permissions (workspace_id, role_id, permission, conditions)
     select $1, $2, g.permission, g.conditions from jsonb_to_recordset($3::jsonb) as g(permission text, conditions jsonb)`,
    [workspaceId, roleId, JSON.stringify(grants)],
  );
}

/** Touch updated_at even when only the grants changed. */
export async function touchRole(tx: Tx, workspaceId: string, id: string): Promise<void> {
  await tx.query('update roles set updated_at = now() where workspace_id = $1 and id = $2', [workspaceId, id]);
}

export async function deleteRole(tx: Tx, workspaceId: string, id: string): Promise<void> {
  await tx.query('delete from roles where workspace_id = $1 and id = $2', [workspaceId, id]);
}

/** Users holding a role. */
export async function listRoleMemberIds(tx: Tx, workspaceId: string, roleId: string): Promise<string[]> {
  const { rows } = await tx.query<{ user_id: string }>(
    'select user_id from membership_roles where workspace_id = $1 and role_id = $2 order by user_id',
    [workspaceId, roleId],
  );
  return rows.map((r) => r.user_id);
}

/** Custom role ids per member, for a page of members. */
export async function memberRoleIds(tx: Tx, workspaceId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const { rows } = await tx.query<{ user_id: string; role_ids: string[] }>(
    `select user_id, array_agg(role_id::text order by role_id) as role_ids from membership_roles
     where workspace_id = $1 and user_id = any($2::uuid[]) group by user_id`,
    [workspaceId, userIds],
  );
  for (const r of rows) out.set(r.user_id, r.role_ids);
  return out;
}

// Who holds custom roles: members and API keys, each in its own assignment table.
export const HOLDERS = {
  member: { table: 'membership_roles', column: 'user_id' },
  api_key: { table: 'api_key_roles', column: 'api_key_id' },
} as const;

/** Set a holder's custom roles to exactly `roleIds` (which must exist: checked by the caller). */
async function replaceHolderRoles(tx: Tx, kind: keyof typeof HOLDERS, workspaceId: string, holderId: string, roleIds: readonly string[], assignedBy: string | null): Promise<void> {
  const { table, column } = HOLDERS[kind];
  await tx.query(
    `delete from ${table} where workspace_id = $1 and ${column} = $2 and not (role_id = any($3::uuid[]))`,
    [workspaceId, holderId, roleIds],
  );
  if (roleIds.length === 0) return;
  await tx.query(
    `insert into ${table} (workspace_id, ${column}, role_id, assigned_by)
     select $1, $2, r, $4 from unnest($3::uuid[]) as r on conflict do nothing`,
    [workspaceId, holderId, roleIds, assignedBy],
  );
}

export function setMemberRoles(tx: Tx, workspaceId: string, userId: string, roleIds: readonly string[], assignedBy: string | null): Promise<void> {
  return replaceHolderRoles(tx, 'member', workspaceId, userId, roleIds, assignedBy);
}

export function setApiKeyRoles(tx: Tx, workspaceId: string, apiKeyId: string, roleIds: readonly string[], assignedBy: string | null): Promise<void> {
  return replaceHolderRoles(tx, 'api_key', workspaceId, apiKeyId, roleIds, assignedBy);
}
