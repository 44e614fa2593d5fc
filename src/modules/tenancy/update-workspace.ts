import type { Database } from '../../kernel/db/database.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import { tenancyErrors } from './tenancy.errors.ts';
import type { SettingsRegistry } from './settings.registry.ts';
import type { WorkspaceDetail } from './get-workspace.ts';
import { findWorkspaceById, renameWorkspace } from './workspaces.store.ts';
import { deleteSettings, listSettings, upsertSettings } from './workspace-settings.store.ts';

export type WorkspacePatch = { name?: string; settings?: Record<string, unknown> };

/** What a patch changed: name and setting values before and after (only the keys that differ). */
function changesOf(before: WorkspaceDetail, after: WorkspaceDetail): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  if (before.name !== after.name) {
    was.name = before.name;
    now.name = after.name;
  }
  const keys = new Set([...Object.keys(before.settings), ...Object.keys(after.settings)]);
  const settingsBefore: Record<string, unknown> = {};
  const settingsAfter: Record<string, unknown> = {};
  for (const key of keys) {
    if (JSON.stringify(before.settings[key]) === JSON.stringify(after.settings[key])) continue;
    settingsBefore[key] = before.settings[key] ?? null;
    settingsAfter[key] = after.settings[key] ?? null;
  }
  if (Object.keys(settingsAfter).length > 0) {
    was.settings = settingsBefore;
    now.settings = settingsAfter;
  }
  return Object.keys(now).length > 0 ? { before: was, after: now } : null;
}

/**
 * Rename and/or change settings (a `null` value resets a key to its default), in one
 * transaction. Audit: `workspace.updated` with the values that changed (a patch changing
 * nothing records nothing). Two round trips: the current state (two reads, pipelined), then the
 * writes and the audit event together (none needs another's answer); the new state is known
 * from the old one and the patch.
 */
export async function updateCurrentWorkspace(
  deps: { db: Database; settings: SettingsRegistry; audit: Pick<AuditModule, 'record'>; settingsChanged?: Array<(workspaceId: string, keys: string[]) => void> },
  workspaceId: string,
  patch: WorkspacePatch,
  audit: AuditContext,
): Promise<WorkspaceDetail> {
  let changedKeys: string[] = [];
  const updated = await updateInTransaction(deps, workspaceId, patch, audit, (keys) => { changedKeys = keys; });
  // After the commit: modules that keep a setting in memory (recall's embedding model) forget it.
  if (changedKeys.length) for (const listener of deps.settingsChanged ?? []) listener(workspaceId, changedKeys);
  return updated;
}

function updateInTransaction(
  deps: { db: Database; settings: SettingsRegistry; audit: Pick<AuditModule, 'record'> },
  workspaceId: string,
  patch: WorkspacePatch,
  audit: AuditContext,
  onChanged: (keys: string[]) => void,
): Promise<WorkspaceDetail> {
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
  const name = patch.name?.trim();

  return deps.db.withWorkspace(workspaceId, async (tx) => {
    const [workspace, stored] = await Promise.all([findWorkspaceById(tx, workspaceId), listSettings(tx, workspaceId)]);
    if (!workspace) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
    const nextStored: Record<string, unknown> = { ...stored, ...toSet };
    for (const key of toReset) delete nextStored[key];
    const before: WorkspaceDetail = { ...workspace, settings: deps.settings.resolve(stored) };
    const after: WorkspaceDetail = { ...workspace, name: name ?? workspace.name, settings: deps.settings.resolve(nextStored) };
    const diff = changesOf(before, after);

    const isRenamed = name !== undefined && name !== workspace.name;
    const [renamed] = await Promise.all([
      isRenamed ? renameWorkspace(tx, workspaceId, name) : Promise.resolve(workspace),
      upsertSettings(tx, workspaceId, toSet),
      deleteSettings(tx, workspaceId, toReset),
      diff ? deps.audit.record(tx, audit, { workspaceId, action: 'workspace.updated', targetType: 'workspace', targetId: workspaceId, diff }) : undefined,
    ]);
    if (!renamed) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
    onChanged(Object.keys((diff?.after.settings ?? {}) as Record<string, unknown>));
    return { ...renamed, settings: after.settings };
  });
}
