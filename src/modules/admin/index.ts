// The admin module's door: the platform admin (operator of the installation), the one
// cross-workspace path. Its routes need a platform-admin session; its use-cases use
// db.withPlatform only, and record every action.
import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { AuditModule } from '../audit/index.ts';
import type { WorkspaceSearch, WorkspaceStatus } from '../tenancy/index.ts';
import type { AdminContext, AdminReports } from './admin.context.ts';
import { auditContextOfAdmin } from './admin-audit.ts';
import type { AdminActor } from './admin-audit.ts';
import { adminRoutes } from './admin.routes.ts';
import { createPlatformAdmin, ensureBootstrapAdmin } from './create-platform-admin.ts';
import type { PlatformAdminInput } from './create-platform-admin.ts';
import { listWorkspaces } from './list-workspaces.ts';
import { getWorkspace } from './get-workspace.ts';
import { getWorkspaceOverview } from './accounts/get-workspace-overview.ts';
import { updateAccount } from './accounts/update-account.ts';
import type { AccountPatch } from './accounts/update-account.ts';
import { createWorkspace } from './create-workspace.ts';
import type { AdminCreateWorkspaceInput } from './create-workspace.ts';
import { changeWorkspaceStatus } from './change-workspace-status.ts';
import { logoutUser, logoutWorkspace } from './force-logout.ts';
import { getDashboard } from './get-dashboard.ts';
import { listErrors } from './list-errors.ts';
import type { AdminErrorQuery } from './list-errors.ts';
import { listWorkflowStats } from './list-workflow-stats.ts';
import type { WorkflowStatsListQuery } from './list-workflow-stats.ts';
import { recordHealthSample } from './record-health-sample.ts';
import { defineHealthSampleJob, scheduleHealthSample } from './health-sample.job.ts';

export type { AdminActor } from './admin-audit.ts';
export type { PlatformAdminInput, PlatformAdminResult } from './create-platform-admin.ts';
export type { AdminWorkspace, AdminWorkspacePage } from './list-workspaces.ts';
export type { AdminWorkspaceDetail } from './get-workspace.ts';
export type { WorkspaceOverview, Account, Usage } from './accounts/get-workspace-overview.ts';
export type { AccountPatch } from './accounts/update-account.ts';
export type { AdminReports } from './admin.context.ts';
export type { AdminStatusChange } from './change-workspace-status.ts';
export { adminErrors } from './admin.errors.ts';
export type { Dashboard, ActivityItem } from './get-dashboard.ts';
export type { AdminError, AdminErrorPage, AdminErrorQuery } from './list-errors.ts';
export type { AdminWorkflowStats, WorkflowStatsPage, WorkflowStatsListQuery } from './list-workflow-stats.ts';
export type { Uptime } from './compute-uptime.ts';
export type { HealthSample } from './record-health-sample.ts';
export { HEALTH_SAMPLE_QUEUE, HEALTH_SAMPLE_CRON } from './health-sample.job.ts';

export function createAdminModule(
  deps: KernelDeps,
  modules: { identity: IdentityModule; tenancy: TenancyModule; mail: MailModule; audit: AuditModule; jobs: JobEngine; reports: AdminReports },
) {
  const all: AdminContext = { ...deps, ...modules };
  defineHealthSampleJob(modules.jobs, deps.db, deps.log);
  return {
    routes: adminRoutes(all),
    /** At start: create the platform admin from ATRIUM_ADMIN_EMAIL/ATRIUM_ADMIN_PASSWORD if absent. */
    async ensureBootstrapAdmin(): Promise<void> {
      await ensureBootstrapAdmin(all);
    },
    /** Create or promote a platform admin (idempotent); gives them an "Operations" workspace if they have none. */
    createPlatformAdmin(input: PlatformAdminInput, actor: AdminActor = { userId: null, via: 'cli' }) {
      return createPlatformAdmin(all, auditContextOfAdmin(actor), input);
    },
    listWorkspaces(search: WorkspaceSearch) {
      return listWorkspaces(all, search);
    },
    getWorkspace(id: string) {
      return getWorkspace(all, id);
    },
    /** The whole picture of a client (GET /admin/workspaces/:id). */
    getWorkspaceOverview(id: string, query?: { from?: string; to?: string }) {
      return getWorkspaceOverview(all, id, query);
    },
    /** Change plan, subscription, notes, metadata (PATCH /admin/workspaces/:id). */
    updateAccount(workspaceId: string, patch: AccountPatch, actor: AdminActor) {
      return updateAccount(all, auditContextOfAdmin(actor), workspaceId, patch);
    },
    createWorkspace(input: AdminCreateWorkspaceInput, actor: AdminActor) {
      return createWorkspace(all, auditContextOfAdmin(actor), input);
    },
    /** Suspend ('suspended'), restore ('active') or soft-delete ('deleted') a workspace by id or slug. */
    changeWorkspaceStatus(idOrSlug: string, target: WorkspaceStatus, actor: AdminActor, options?: { reason?: string }) {
      return changeWorkspaceStatus(all, auditContextOfAdmin(actor), idOrSlug, target, options);
    },
    logoutWorkspace(workspaceId: string, actor: AdminActor) {
      return logoutWorkspace(all, auditContextOfAdmin(actor), workspaceId);
    },
    logoutUser(userId: string, actor: AdminActor) {
      return logoutUser(all, auditContextOfAdmin(actor), userId);
    },
    /** The platform dashboard's figures (GET /admin/dashboard). */
    getDashboard(options?: { now?: Date; activityLimit?: number }) {
      return getDashboard(all, options);
    },
    listErrors(query: AdminErrorQuery) {
      return listErrors(all, query);
    },
    listWorkflowStats(query: WorkflowStatsListQuery, now?: Date) {
      return listWorkflowStats(all, query, now);
    },
    /** This minute's health sample (the `admin.health_sample` job calls it every minute). */
    recordHealthSample(options?: { now?: Date }) {
      return recordHealthSample(all, options);
    },
    /** The health sample's cron schedule, in the caller's platform transaction (idempotent; needs the job engine). */
    async installSchedules(tx: Tx): Promise<void> {
      await scheduleHealthSample(modules.jobs, tx);
    },
  };
}

export type AdminModule = ReturnType<typeof createAdminModule>;
