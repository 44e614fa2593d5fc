// POST /admin/tickets/:id/comments: a platform admin replies to the client, or writes an
// internal note (isInternal) that the workspace never sees. Closed tickets still take notes.
import type { AuditContext } from '../audit/index.ts';
import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { AdminCommentInput, CommentView } from './support.schema.ts';
import { findTicketAnywhere, insertComment, updateTicket } from './support.store.ts';

export async function replyToTicket(ctx: SupportContext, audit: AuditContext, id: string, input: AdminCommentInput): Promise<CommentView> {
  return ctx.db.withPlatform(async (tx) => {
    const ticket = await findTicketAnywhere(tx, id, { forUpdate: true });
    if (!ticket) throw supportErrors.create('TICKET_NOT_FOUND');
    if (ticket.status === 'closed' && !input.isInternal) throw supportErrors.create('TICKET_CLOSED', 'This ticket is closed; reopen it to reply, or add an internal note');
    const ws = ticket.workspaceId;
    const comment = await insertComment(tx, { workspaceId: ws, ticketId: id, authorType: audit.actor.type, authorId: audit.actor.id, body: input.body, isInternal: input.isInternal });
    if (!input.isInternal) await updateTicket(tx, ws, id, { isActivity: true });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: input.isInternal ? 'ticket.noted' : 'ticket.commented', targetType: 'support_ticket', targetId: id,
      diff: { after: { commentId: comment.id, isInternal: input.isInternal } },
    });
    return comment;
  });
}
