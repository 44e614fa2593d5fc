import type { Principal } from '../../kernel/http/principal.ts';
import type { AccessContext } from './access.context.ts';
import { accessErrors } from './access.errors.ts';
import { getRole as selectRole, listRoleMemberIds } from './roles.store.ts';
import type { CustomRoleView } from './roles.store.ts';

export type CustomRoleDetail = CustomRoleView & { memberIds: string[] };

/** GET /roles/:id: a custom role of the workspace; another workspace's id answers 404. */
export async function getRole(ctx: AccessContext, principal: Principal, id: string): Promise<CustomRoleDetail> {
  const ws = principal.workspaceId;
  const found = await ctx.db.withWorkspace(ws, async (tx) => {
    const role = await selectRole(tx, ws, id);
    return role ? { ...role, memberIds: await listRoleMemberIds(tx, ws, id) } : null;
  });
  if (!found) throw accessErrors.create('ROLE_NOT_FOUND');
  return found;
}
