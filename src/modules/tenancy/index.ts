// The tenancy module's door: workspaces (the tenants), their lifecycle and typed settings.
import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { TSchema } from '@fastify/type-provider-typebox';
import type { IdentityModule } from '../identity/index.ts';
import type { AuditModule } from '../audit/index.ts';
import { createSettingsRegistry } from './settings.registry.ts';
import type { WorkspaceSettingDefinition } from './settings.registry.ts';
import { tenancyRoutes } from './tenancy.routes.ts';
import { createWorkspace } from './create-workspace.ts';
import type { CreateWorkspaceInput } from './create-workspace.ts';
import { getWorkspaceDetail } from './get-workspace.ts';
import { changeWorkspaceStatus } from './change-workspace-status.ts';
import type { WorkspacePlan, WorkspaceStatus } from './workspaces.store.ts';
import { findWorkspaceById, findWorkspaceBySlug, lockWorkspace, searchWorkspaces, updateWorkspacePlan } from './workspaces.store.ts';
import { isUuid } from '../../kernel/ids.ts';

export type { Workspace, WorkspaceKind, WorkspacePlan, WorkspaceStatus, WorkspaceSearch } from './workspaces.store.ts';
export type { WorkspaceDetail } from './get-workspace.ts';
export type { StatusChange } from './change-workspace-status.ts';
export type { CreateWorkspaceInput } from './create-workspace.ts';
export type { WorkspaceSettingDefinition, SettingsRegistry } from './settings.registry.ts';
export { tenancyErrors } from './tenancy.errors.ts';
export { WorkspaceSchema, WorkspaceDetailSchema, WorkspaceStatusSchema, WorkspacePlanSchema, WorkspaceKindSchema, SlugSchema, WorkspaceNameSchema } from './tenancy.schema.ts';
export { slugify, isValidSlug } from './slug.ts';

export function createTenancyModule(deps: KernelDeps, modules: { identity: IdentityModule; audit: AuditModule }) {
  const settings = createSettingsRegistry();
  const settingsChanged: Array<(workspaceId: string, keys: string[]) => void> = [];
  const routeDeps = { db: deps.db, settings, identity: modules.identity, audit: modules.audit, settingsChanged };

  return {
    routes: tenancyRoutes(routeDeps),
    settings,
    /** In this process, after a workspace's settings changed (committed): for modules that keep one in memory. */
    onSettingsChanged(listener: (workspaceId: string, keys: string[]) => void): void {
      settingsChanged.push(listener);
    },
    /** Later modules add their workspace settings here (from the composition root). */
    registerSetting<T extends TSchema>(definition: WorkspaceSettingDefinition<T>): void {
      settings.register(definition);
    },
    /**
     * Create a workspace (unique slug, default settings) in the caller's transaction: bound to
     * `input.id` on the tenant path, or the platform path. Memberships are the caller's job.
     */
    createWorkspace(tx: Tx, input: CreateWorkspaceInput) {
      return createWorkspace(tx, settings, input);
    },
    /** A workspace with its resolved settings, or null (tenant-bound to it, or platform). */
    getWorkspace(tx: Tx, id: string) {
      return getWorkspaceDetail(tx, settings, id);
    },
    /** By id or slug (platform path; on the tenant path only the bound workspace is visible). */
    findWorkspace(tx: Tx, idOrSlug: string) {
      return isUuid(idOrSlug) ? findWorkspaceById(tx, idOrSlug.toLowerCase()) : findWorkspaceBySlug(tx, idOrSlug.toLowerCase());
    },
    /** Suspend, restore or soft-delete; revokes the workspace's sessions when leaving `active`. */
    changeStatus(tx: Tx, id: string, target: WorkspaceStatus, options?: { reason?: string | null }) {
      return changeWorkspaceStatus(tx, modules.identity, id, target, options);
    },
    /** Lock a workspace's row for a change (platform path), or null. */
    lockWorkspace(tx: Tx, id: string) {
      return lockWorkspace(tx, id);
    },
    /** Change a workspace's plan (platform path; the caller audits it). */
    changePlan(tx: Tx, id: string, plan: WorkspacePlan) {
      return updateWorkspacePlan(tx, id, plan);
    },
    /** Filter, sort and page every workspace (platform path only). */
    searchWorkspaces,
  };
}

export type TenancyModule = ReturnType<typeof createTenancyModule>;
