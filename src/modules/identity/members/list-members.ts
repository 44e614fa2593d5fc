import type { Principal } from '../../../kernel/http/principal.ts';
import type { IdentityContext } from '../identity.context.ts';
import { listMembers as selectMembers } from './members.store.ts';
import type { MemberView } from './members.store.ts';

export type MemberWithRoles = MemberView & { roleIds: string[] };

export async function listMembers(ctx: IdentityContext, principal: Principal, page: { limit: number; cursor?: string }): Promise<{ data: MemberWithRoles[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const data = await ctx.db.withWorkspace(ws, async (tx) => {
    const members = await selectMembers(tx, ws, { limit: page.limit, after: page.cursor });
    const roleIds = await ctx.access.memberRoleIds(tx, ws, members.map((m) => m.userId));
    return members.map((m) => ({ ...m, roleIds: roleIds.get(m.userId) ?? [] }));
  });
  return { data, nextCursor: data.length === page.limit ? data[data.length - 1].userId : null };
}
