// POST /tickets/:id/close: the client closes its ticket (solved, or no longer needed).
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { TicketDetail } from './support.schema.ts';
import { findTicket, updateTicket } from './support.store.ts';
import { clientDetail } from './ticket-detail.ts';

export async function closeTicket(ctx: SupportContext, principal: Principal, audit: AuditContext, id: string): Promise<TicketDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findTicket(tx, ws, id, { forUpdate: true });
    if (!before) throw supportErrors.create('TICKET_NOT_FOUND');
    if (before.status === 'closed') throw supportErrors.create('TICKET_CLOSED', 'This ticket is already closed');
    await updateTicket(tx, ws, id, { status: 'closed', isActivity: true });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'ticket.closed', targetType: 'support_ticket', targetId: id,
      diff: { before: { status: before.status }, after: { status: 'closed' } },
    });
    return clientDetail(tx, (await findTicket(tx, ws, id))!);
  });
}
