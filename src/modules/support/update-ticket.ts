// PATCH /admin/tickets/:id: a platform admin assigns (to a platform admin only), re-prioritises
// or changes the status. One audit event with what changed, in the ticket's workspace chain.
import type { AuditContext } from '../audit/index.ts';
import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { AdminTicketDetail, AdminUpdateTicketInput } from './support.schema.ts';
import { findTicketAnywhere, isPlatformAdmin, updateTicket as writeTicket } from './support.store.ts';
import { adminDetail } from './ticket-detail.ts';

export async function updateTicket(ctx: SupportContext, audit: AuditContext, id: string, input: AdminUpdateTicketInput): Promise<AdminTicketDetail> {
  return ctx.db.withPlatform(async (tx) => {
    const before = await findTicketAnywhere(tx, id, { forUpdate: true });
    if (!before) throw supportErrors.create('TICKET_NOT_FOUND');
    if (input.assigneeId && !(await isPlatformAdmin(tx, input.assigneeId))) {
      throw supportErrors.create('TICKET_ASSIGNEE_INVALID', `User ${input.assigneeId} is not a platform admin`);
    }
    const was = { status: before.status, priority: before.priority, assigneeId: before.assignee?.id ?? null };
    const changed = (['status', 'priority', 'assigneeId'] as const).filter((k) => input[k] !== undefined && input[k] !== was[k]);
    if (changed.length > 0) {
      await writeTicket(tx, before.workspaceId, id, { status: input.status, priority: input.priority, assigneeId: input.assigneeId, isActivity: true });
      await ctx.audit.record(tx, audit, {
        workspaceId: before.workspaceId, action: 'ticket.updated', targetType: 'support_ticket', targetId: id,
        diff: { before: Object.fromEntries(changed.map((k) => [k, was[k]])), after: Object.fromEntries(changed.map((k) => [k, input[k]])) },
      });
    }
    return adminDetail(tx, (await findTicketAnywhere(tx, id))!);
  });
}
