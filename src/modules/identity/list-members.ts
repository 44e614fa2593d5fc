import type { Principal } from '../../kernel/http/principal.ts';
import type { IdentityContext } from './identity.context.ts';
import { listMembers as selectMembers } from './members.store.ts';
import type { MemberView } from './members.store.ts';

export async function listMembers(ctx: IdentityContext, principal: Principal, page: { limit: number; cursor?: string }): Promise<{ data: MemberView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const data = await ctx.db.withWorkspace(ws, (tx) => selectMembers(tx, ws, { limit: page.limit, after: page.cursor }));
  return { data, nextCursor: data.length === page.limit ? data[data.length - 1].userId : null };
}
