import type { Database } from '../../kernel/db/database.ts';
import { tenancyErrors } from './tenancy.errors.ts';
import type { SettingsRegistry } from './settings.registry.ts';
import { getWorkspaceDetail } from './get-workspace.ts';
import type { WorkspaceDetail } from './get-workspace.ts';
import { updateWorkspaceName } from './workspaces.store.ts';
import { deleteSettings, upsertSettings } from './workspace-settings.store.ts';

export type WorkspacePatch = { name?: string; settings?: Record<string, unknown> };

/** Rename and/or change settings (a `null` value resets a key to its default), in one transaction. */
export async function updateCurrentWorkspace(deps: { db: Database; settings: SettingsRegistry }, workspaceId: string, patch: WorkspacePatch): Promise<WorkspaceDetail> {
  const settings = patch.settings ?? {};
  const { unknown, invalid } = deps.settings.validate(settings);
  if (unknown.length > 0) {
    throw tenancyErrors.create('SETTING_UNKNOWN', `Unknown setting(s): ${unknown.map((p) => p.path.replace('body.settings.', '')).join(', ')}`, { extra: { errors: unknown } });
  }
  if (invalid.length > 0) {
    throw tenancyErrors.create('SETTING_INVALID', invalid.map((p) => `${p.path} ${p.message}`).join('; '), { extra: { errors: invalid } });
  }
  const toReset = Object.keys(settings).filter((k) => settings[k] === null);
  const toSet = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null));

  return deps.db.withWorkspace(workspaceId, async (tx) => {
    if (patch.name !== undefined) await updateWorkspaceName(tx, workspaceId, patch.name.trim());
    await upsertSettings(tx, workspaceId, toSet);
    await deleteSettings(tx, workspaceId, toReset);
    const detail = await getWorkspaceDetail(tx, deps.settings, workspaceId);
    if (!detail) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
    return detail;
  });
}
