// The support module's door: tickets between a workspace and the platform admins, with a
// comment thread (internal notes for admins only).
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { reportTickets } from './report-tickets.ts';
import type { AuditModule } from '../audit/index.ts';
import type { ExecutionLookup, SupportContext } from './support.context.ts';
import { supportRoutes } from './support.routes.ts';
import { supportAdminRoutes } from './support.admin.routes.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { createTicket } from './create-ticket.ts';
import { listTickets } from './list-tickets.ts';
import type { CreateTicketInput } from './support.schema.ts';
import type { TicketFilter } from './support.store.ts';

export type { TicketStatus, TicketPriority, TicketView, TicketDetail, AdminTicketView, AdminTicketDetail, CommentView } from './support.schema.ts';
export { TICKET_STATUSES, TICKET_PRIORITIES } from './support.schema.ts';
export { supportErrors } from './support.errors.ts';

export type { TicketsReport } from './report-tickets.ts';

export function createSupportModule(deps: KernelDeps, modules: { audit: Pick<AuditModule, 'record'>; executionExists: ExecutionLookup }) {
  const ctx: SupportContext = { db: deps.db, log: deps.log, audit: modules.audit, executionExists: modules.executionExists };
  return {
    /** What other modules may read (in the caller's transaction): counts by status and the latest few. */
    reports: {
      summarize(tx: Tx, workspaceId: string, latest: number) {
        return reportTickets(tx, workspaceId, latest);
      },
    },
    /** Tickets as the principal (agents' tools): the same checks and audit as the routes. */
    tickets: {
      create: (principal: Principal, audit: AuditContext, input: CreateTicketInput) => createTicket(ctx, principal, audit, input),
      list: (principal: Principal, filter: TicketFilter) => listTickets(ctx, principal, filter),
    },
    /** Tenant routes (/tickets) and platform-admin routes (/admin/tickets), under /api/v1. */
    routes: (async (app) => {
      await app.register(supportRoutes(ctx));
      await app.register(supportAdminRoutes(ctx));
    }) satisfies RoutePlugin,
  };
}

export type SupportModule = ReturnType<typeof createSupportModule>;
