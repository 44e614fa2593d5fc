// The server side of the access module: custom roles (routes, use-cases, store) and the
// resolver that turns a principal's roles into its effective access at authentication.
import type { KernelDeps } from '../../kernel/module.ts';
import { sharedForget } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditModule } from '../audit/index.ts';
import { createAccessResolver } from './access-resolver.ts';
import type { AccessContext } from './access.context.ts';
import { accessErrors } from './access.errors.ts';
import { canGrantPermission } from './abilities.ts';
import type { AccessHolder } from './abilities.ts';
import { accessRoutes } from './access.routes.ts';
import { getRole, memberRoleIds, setApiKeyRoles, setMemberRoles } from './roles.store.ts';
import type { CustomRoleView } from './roles.store.ts';

export function createAccessModule(deps: KernelDeps, modules: { audit: AuditModule }) {
  const resolver = createAccessResolver(deps.db, deps.log);
  // A role changed on one process is forgotten on all of them.
  resolver.invalidate = sharedForget(deps, 'access.members', resolver.invalidate);
  const ctx: AccessContext = { db: deps.db, log: deps.log, audit: modules.audit, resolver };
  async function findRoles(tx: Tx, workspaceId: string, ids: readonly string[]): Promise<CustomRoleView[]> {
    const roles: CustomRoleView[] = [];
    for (const id of [...new Set(ids)].sort()) {
      const role = await getRole(tx, workspaceId, id, { lock: true });
      if (!role) throw accessErrors.create('ROLE_NOT_FOUND', `Role ${id} not found`);
      roles.push(role);
    }
    return roles;
  }
  return {
    routes: accessRoutes(ctx),
    /** Custom roles and effective access of a principal (the authenticator calls it). */
    resolve: resolver.resolve,
    /** Drop cached member state (after a role or assignment change in this process). */
    invalidate: resolver.invalidate,
    /** Custom role ids per member, in the caller's transaction bound to `workspaceId`. */
    memberRoleIds(tx: Tx, workspaceId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
      return memberRoleIds(tx, workspaceId, userIds);
    },
    /** These custom roles of the workspace (locked); ROLE_NOT_FOUND when one is not the workspace's. */
    findRoles,
    /**
     * A member's or key's custom roles going from `before` to `requested`: returns the new set
     * (unique, sorted) and the roles added or removed, once every requested role is the
     * workspace's (404 ROLE_NOT_FOUND) and every changed one holds only permissions the caller
     * holds for every resource (403 PERMISSION_NOT_GRANTABLE).
     */
    async checkRoleChange(tx: Tx, workspaceId: string, principal: AccessHolder, before: readonly string[], requested: readonly string[]): Promise<{ wanted: string[]; changed: string[] }> {
      const wanted = [...new Set(requested.map((id) => id.toLowerCase()))].sort();
      const changed = [...wanted.filter((id) => !before.includes(id)), ...before.filter((id) => !wanted.includes(id))];
      const roles = await findRoles(tx, workspaceId, [...new Set([...wanted, ...changed])]);
      for (const role of roles.filter((r) => changed.includes(r.id))) {
        const missing = role.permissions.find((g) => !canGrantPermission(principal, g.permission));
        if (missing) throw accessErrors.create('PERMISSION_NOT_GRANTABLE', `The role "${role.name}" has ${missing.permission}, which you don't hold for every resource`);
      }
      return { wanted, changed };
    },
    /** Set a member's custom roles to exactly `roleIds` (checked with checkRoleChange first). */
    setMemberRoles(tx: Tx, workspaceId: string, userId: string, roleIds: readonly string[], assignedBy: string | null): Promise<void> {
      return setMemberRoles(tx, workspaceId, userId, roleIds, assignedBy);
    },
    /**
     * Set an API key's custom roles to exactly `roleIds` (checked with checkRoleChange first). Other
     * modules read a key's roles through the view api_key_role_sets.
     */
    setApiKeyRoles(tx: Tx, workspaceId: string, apiKeyId: string, roleIds: readonly string[], assignedBy: string | null): Promise<void> {
      return setApiKeyRoles(tx, workspaceId, apiKeyId, roleIds, assignedBy);
    },
  };
}

export type AccessModule = ReturnType<typeof createAccessModule>;
