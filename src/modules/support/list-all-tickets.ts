// GET /admin/tickets: every workspace's tickets (platform path), most urgent first.
import type { SupportContext } from './support.context.ts';
import type { AdminTicketView } from './support.schema.ts';
import { listAllTickets as selectAll } from './support.store.ts';
import type { AdminTicketFilter } from './support.store.ts';

export async function listAllTickets(ctx: SupportContext, filter: AdminTicketFilter): Promise<{ data: AdminTicketView[]; total: number; limit: number; offset: number }> {
  const { data, total } = await ctx.db.withPlatform((tx) => selectAll(tx, filter));
  return { data, total, limit: filter.limit, offset: filter.offset };
}
