import type { Principal } from '../../../kernel/http/principal.ts';
import type { IdentityContext } from '../identity.context.ts';
import { listPendingInvitations } from './invitations.store.ts';
import type { InvitationView } from './invitations.store.ts';

export async function listInvitations(ctx: IdentityContext, principal: Principal, page: { limit: number; cursor?: string }): Promise<{ data: InvitationView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const data = await ctx.db.withWorkspace(ws, (tx) => listPendingInvitations(tx, ws, { limit: page.limit, before: page.cursor }));
  return { data, nextCursor: data.length === page.limit ? data[data.length - 1].id : null };
}
