// A ticket with its thread, as the client sees it (no internal notes) or as a platform admin
// sees it (every comment, plus its workspace).
import type { Tx } from '../../kernel/db/database.ts';
import type { AdminTicketDetail, TicketDetail, TicketView } from './support.schema.ts';
import { findWorkspaceRef, listComments } from './support.store.ts';

export async function clientDetail(tx: Tx, ticket: TicketView): Promise<TicketDetail> {
  return { ...ticket, comments: await listComments(tx, ticket.workspaceId, ticket.id, { withInternal: false }) };
}

/** Platform path only (internal notes). */
export async function adminDetail(tx: Tx, ticket: TicketView): Promise<AdminTicketDetail> {
  const workspace = await findWorkspaceRef(tx, ticket.workspaceId);
  return { ...ticket, workspace, comments: await listComments(tx, ticket.workspaceId, ticket.id, { withInternal: true }) };
}
