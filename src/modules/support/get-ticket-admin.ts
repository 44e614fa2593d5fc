import type { SupportContext } from './support.context.ts';
import { supportErrors } from './support.errors.ts';
import type { AdminTicketDetail } from './support.schema.ts';
import { findTicketAnywhere } from './support.store.ts';
import { adminDetail } from './ticket-detail.ts';

/** A ticket of any workspace with its whole thread, internal notes included (platform path). */
export async function getTicketForAdmin(ctx: SupportContext, id: string): Promise<AdminTicketDetail> {
  return ctx.db.withPlatform(async (tx) => {
    const ticket = await findTicketAnywhere(tx, id);
    if (!ticket) throw supportErrors.create('TICKET_NOT_FOUND');
    return adminDetail(tx, ticket);
  });
}
