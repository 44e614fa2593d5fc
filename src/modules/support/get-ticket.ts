import type { Principal } from '../../kernel/http/principal.ts';
import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { TicketDetail } from './support.schema.ts';
import { findTicket } from './support.store.ts';
import { clientDetail } from './ticket-detail.ts';

/** One of the workspace's tickets with its thread, internal notes left out. Another workspace's id: 404. */
export async function getTicket(ctx: SupportContext, principal: Principal, id: string): Promise<TicketDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const ticket = await findTicket(tx, ws, id);
    if (!ticket) throw supportErrors.create('TICKET_NOT_FOUND');
    return clientDetail(tx, ticket);
  });
}
