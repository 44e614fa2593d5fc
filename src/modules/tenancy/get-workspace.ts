import type { Database, Tx } from '../../kernel/db/database.ts';
import { tenancyErrors } from './tenancy.errors.ts';
import type { SettingsRegistry } from './settings.registry.ts';
import { findWorkspaceById } from './workspaces.store.ts';
import type { Workspace } from './workspaces.store.ts';
import { listSettings } from './workspace-settings.store.ts';

export type WorkspaceDetail = Workspace & { settings: Record<string, unknown> };

/** A workspace with its settings resolved over the registry's defaults, in the caller's transaction. */
export async function getWorkspaceDetail(tx: Tx, settings: SettingsRegistry, id: string): Promise<WorkspaceDetail | null> {
  const workspace = await findWorkspaceById(tx, id);
  if (!workspace) return null;
  return { ...workspace, settings: settings.resolve(await listSettings(tx, id)) };
}

export async function getCurrentWorkspace(deps: { db: Database; settings: SettingsRegistry }, workspaceId: string): Promise<WorkspaceDetail> {
  const detail = await deps.db.withWorkspace(workspaceId, (tx) => getWorkspaceDetail(tx, deps.settings, workspaceId));
  if (!detail) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
  return detail;
}
