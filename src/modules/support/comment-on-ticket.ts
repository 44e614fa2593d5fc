// POST /tickets/:id/comments: the client replies in its ticket's thread. A reply to a ticket
// that waits on the client, or was resolved, reopens it (as helpdesks do); a closed ticket
// takes no more replies (open a new one).
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { CommentView } from './support.schema.ts';
import { findTicket, insertComment, updateTicket } from './support.store.ts';

export async function commentOnTicket(ctx: SupportContext, principal: Principal, audit: AuditContext, id: string, body: string): Promise<CommentView> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const ticket = await findTicket(tx, ws, id, { forUpdate: true });
    if (!ticket) throw supportErrors.create('TICKET_NOT_FOUND');
    if (ticket.status === 'closed') throw supportErrors.create('TICKET_CLOSED', 'This ticket is closed; open a new one');
    const isReopening = ticket.status === 'waiting' || ticket.status === 'resolved';
    const comment = await insertComment(tx, { workspaceId: ws, ticketId: id, authorType: audit.actor.type, authorId: audit.actor.id, body, isInternal: false });
    await updateTicket(tx, ws, id, { ...(isReopening ? { status: 'open' as const } : {}), isActivity: true });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'ticket.commented', targetType: 'support_ticket', targetId: id,
      diff: { after: { commentId: comment.id, isInternal: false, ...(isReopening ? { status: 'open', previousStatus: ticket.status } : {}) } },
    });
    return comment;
  });
}
