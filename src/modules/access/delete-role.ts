// DELETE /roles/:id: the role and its assignments go (members and API keys keep their base role
// and any other role). The writer must hold every permission of the role. Audit: `role.deleted`.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { AccessContext } from './access.context.ts';
import { accessErrors } from './access.errors.ts';
import { assertRoleWithinReach } from './role-grants.ts';
import { deleteRole as removeRole, getRole, listRoleMemberIds } from './roles.store.ts';

export async function deleteRole(ctx: AccessContext, principal: Principal, id: string, audit: AuditContext): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const role = await getRole(tx, ws, id, { lock: true });
    if (!role) throw accessErrors.create('ROLE_NOT_FOUND');
    assertRoleWithinReach(principal, role.permissions);
    const memberIds = await listRoleMemberIds(tx, ws, id);
    await removeRole(tx, ws, id);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'role.deleted', targetType: 'role', targetId: id,
      diff: { before: { name: role.name, description: role.description, permissions: role.permissions, memberIds, apiKeyCount: role.apiKeyCount } },
    });
  });
  ctx.resolver.invalidate(ws);
}
