// GET /roles: the built-in roles (from code) and the workspace's custom roles.
import type { Principal } from '../../kernel/http/principal.ts';
import { ROLES, permissionsOf } from './permissions.ts';
import type { Permission, Role } from './permissions.ts';
import type { AccessContext } from './access.context.ts';
import { listRoles as selectRoles } from './roles.store.ts';
import type { CustomRoleView } from './roles.store.ts';

export type BuiltInRoleView = { name: Role; description: string; permissions: Permission[] };

const DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including deleting the workspace and impersonation; the last owner can\'t be removed',
  admin: 'Everything except deleting the workspace and impersonation',
  member: 'Read the workspace, its members, API keys, secrets\' metadata and roles',
  viewer: 'Read the workspace and its members',
};

export function builtInRoles(): BuiltInRoleView[] {
  return ROLES.map((name) => ({ name, description: DESCRIPTIONS[name], permissions: permissionsOf(name) }));
}

export async function listRoles(ctx: AccessContext, principal: Principal): Promise<{ builtIn: BuiltInRoleView[]; data: CustomRoleView[] }> {
  const ws = principal.workspaceId;
  const data = await ctx.db.withWorkspace(ws, (tx) => selectRoles(tx, ws));
  return { builtIn: builtInRoles(), data };
}
