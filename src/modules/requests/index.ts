// The requests module's door: workflow requests (a workspace asks for a new automation) and the
// platform admins' pipeline that moves them.
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { reportRequests } from './report-requests.ts';
import type { AuditModule } from '../audit/index.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsRoutes } from './requests.routes.ts';
import { requestsAdminRoutes } from './requests.admin.routes.ts';

export type { RequestStatus } from './pipeline.ts';
export { REQUEST_STATUSES, PIPELINE, FINAL_STATUSES, nextStatuses, canMove } from './pipeline.ts';
export type { RequestView, RequestDetail, AdminRequestView, AdminRequestDetail, TimelineEntry } from './requests.schema.ts';
export { requestsErrors } from './requests.errors.ts';

export type { RequestsReport } from './report-requests.ts';

export function createRequestsModule(deps: KernelDeps, modules: { audit: Pick<AuditModule, 'record'> }) {
  const ctx: RequestsContext = { db: deps.db, log: deps.log, audit: modules.audit };
  return {
    /** What other modules may read (in the caller's transaction): counts by status and the latest few. */
    reports: {
      summarize(tx: Tx, workspaceId: string, latest: number) {
        return reportRequests(tx, workspaceId, latest);
      },
    },
    /** Tenant routes (/requests) and platform-admin routes (/admin/requests), under /api/v1. */
    routes: (async (app) => {
      await app.register(requestsRoutes(ctx));
      await app.register(requestsAdminRoutes(ctx));
    }) satisfies RoutePlugin,
  };
}

export type RequestsModule = ReturnType<typeof createRequestsModule>;
