// The support module's door: tickets between a workspace and the platform admins, with a
// comment thread (internal notes for admins only).
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { AuditModule } from '../audit/index.ts';
import type { SupportContext } from './support.context.ts';
import { supportRoutes } from './support.routes.ts';
import { supportAdminRoutes } from './support.admin.routes.ts';

export type { TicketStatus, TicketPriority, TicketView, TicketDetail, AdminTicketView, AdminTicketDetail, CommentView } from './support.schema.ts';
export { TICKET_STATUSES, TICKET_PRIORITIES } from './support.schema.ts';
export { supportErrors } from './support.errors.ts';

export function createSupportModule(deps: KernelDeps, modules: { audit: Pick<AuditModule, 'record'> }) {
  const ctx: SupportContext = { db: deps.db, log: deps.log, audit: modules.audit };
  return {
    /** Tenant routes (/tickets) and platform-admin routes (/admin/tickets), under /api/v1. */
    routes: (async (app) => {
      await app.register(supportRoutes(ctx));
      await app.register(supportAdminRoutes(ctx));
    }) satisfies RoutePlugin,
  };
}

export type SupportModule = ReturnType<typeof createSupportModule>;
