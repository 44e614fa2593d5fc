// PATCH /roles/:id: rename, describe, or replace the grants of a custom role. The writer must hold
// every permission of the role before and after (no escalation, and no editing a role above
// them). Takes effect on the next request in this process, within 2 s elsewhere.
// Audit: `role.updated` (when something changed).
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { AccessContext } from './access.context.ts';
import { accessErrors } from './access.errors.ts';
import { assertNotBuiltInName } from './create-role.ts';
import { assertRoleWithinReach, normalizeGrants } from './role-grants.ts';
import type { GrantInput } from './role-grants.ts';
import type { Grant } from './abilities.ts';
import { getRole, isRoleNameTaken, replaceGrants, touchRole, updateRoleFields } from './roles.store.ts';
import type { CustomRoleView } from './roles.store.ts';

export type UpdateRoleInput = { name?: string; description?: string; permissions?: GrantInput[] };

export async function updateRole(ctx: AccessContext, principal: Principal, id: string, input: UpdateRoleInput, audit: AuditContext): Promise<CustomRoleView> {
  const ws = principal.workspaceId;
  const grants = input.permissions ? normalizeGrants(principal, input.permissions) : undefined;
  const name = input.name?.trim();
  const description = input.description?.trim();
  if (name !== undefined) assertNotBuiltInName(name);
  const role = await ctx.db.withWorkspace(ws, async (tx) => {
    const before = await getRole(tx, ws, id, { lock: true });
    if (!before) throw accessErrors.create('ROLE_NOT_FOUND');
    assertRoleWithinReach(principal, before.permissions);
    if (name !== undefined && name !== before.name && await isRoleNameTaken(tx, ws, name, id)) {
      throw accessErrors.create('ROLE_NAME_TAKEN', `A role named "${name}" already exists`);
    }
    const isRenamed = name !== undefined && name !== before.name;
    const isDescribed = description !== undefined && description !== before.description;
    const areGrantsChanged = grants !== undefined && canonical(grants) !== canonical(before.permissions);
    if (!isRenamed && !isDescribed && !areGrantsChanged) return before;
    if (isRenamed || isDescribed) await updateRoleFields(tx, ws, id, { name: isRenamed ? name : undefined, description: isDescribed ? description : undefined });
    if (areGrantsChanged) {
      await replaceGrants(tx, ws, id, grants);
      await touchRole(tx, ws, id);
    }
    const after = await getRole(tx, ws, id);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'role.updated', targetType: 'role', targetId: id,
      diff: {
        before: { ...(isRenamed ? { name: before.name } : {}), ...(isDescribed ? { description: before.description } : {}), ...(areGrantsChanged ? { permissions: before.permissions } : {}) },
        after: { ...(isRenamed ? { name } : {}), ...(isDescribed ? { description } : {}), ...(areGrantsChanged ? { permissions: grants } : {}) },
      },
    });
    return after;
  });
  ctx.resolver.invalidate(ws);
  return role!;
}

/** Grants as comparable text: key order differs between the request and jsonb. */
function canonical(grants: readonly Grant[]): string {
  const sortKeys = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, sortKeys(x)]))
    : v);
  return JSON.stringify([...grants].sort((x, y) => x.permission.localeCompare(y.permission)).map(sortKeys));
}
