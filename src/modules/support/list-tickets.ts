import type { Principal } from '../../kernel/http/principal.ts';
import type { SupportContext } from './support.context.ts';
import type { TicketView } from './support.schema.ts';
import { listTickets as selectTickets } from './support.store.ts';
import type { TicketFilter } from './support.store.ts';

/** The workspace's tickets, newest first, keyset-paged on the id. */
export async function listTickets(ctx: SupportContext, principal: Principal, filter: TicketFilter): Promise<{ data: TicketView[]; total: number; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const { data, total } = await ctx.db.withWorkspace(ws, (tx) => selectTickets(tx, ws, filter));
  return { data, total, nextCursor: data.length === filter.limit ? data[data.length - 1].id : null };
}
