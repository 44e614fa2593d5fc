// POST /tickets: a workspace opens a support ticket, optionally about one of its workflow
// executions (checked in the same transaction: another workspace's execution is not found).
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { CreateTicketInput, TicketDetail } from './support.schema.ts';
import { findTicket, insertTicket } from './support.store.ts';
import { clientDetail } from './ticket-detail.ts';

export async function createTicket(ctx: SupportContext, principal: Principal, audit: AuditContext, input: CreateTicketInput): Promise<TicketDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const executionId = input.executionId ?? null;
    if (executionId && !(await ctx.executionExists(tx, ws, executionId))) throw supportErrors.create('TICKET_EXECUTION_NOT_FOUND', `No workflow execution ${executionId} in this workspace`);
    const id = await insertTicket(tx, {
      workspaceId: ws, subject: input.subject.trim(), description: input.description, priority: input.priority ?? 'normal', executionId,
      createdBy: principal.userId, createdByKey: principal.apiKeyId,
    });
    const ticket = (await findTicket(tx, ws, id))!;
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'ticket.created', targetType: 'support_ticket', targetId: id,
      diff: { before: null, after: { subject: ticket.subject, priority: ticket.priority, executionId } },
    });
    return clientDetail(tx, ticket);
  });
}
