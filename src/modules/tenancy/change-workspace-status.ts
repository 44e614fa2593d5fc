// Workspace lifecycle: active ⇄ suspended, active|suspended → deleted (soft: data kept),
// suspended|deleted → active (restore, platform admin). Leaving `active` revokes every session
// bound to the workspace in the same transaction; the authenticator refuses a workspace that
// is not active anyway (tokens and API keys).
import type { Tx } from '../../kernel/db/database.ts';
import type { IdentityModule } from '../identity/index.ts';
import { tenancyErrors } from './tenancy.errors.ts';
import { countLiveChildren, lockWorkspace, updateWorkspaceStatus } from './workspaces.store.ts';
import type { Workspace, WorkspaceStatus } from './workspaces.store.ts';

export type StatusChange = { workspace: Workspace; isChanged: boolean; revokedSessions: number };

/**
 * In the caller's transaction (tenant-bound to `id`, or the platform path). Asking for the
 * current status is a no-op. The caller clears the session cache after commit.
 */
export async function changeWorkspaceStatus(
  tx: Tx,
  identity: Pick<IdentityModule, 'sessions'>,
  id: string,
  target: WorkspaceStatus,
  options: { reason?: string | null } = {},
): Promise<StatusChange> {
  const current = await lockWorkspace(tx, id);
  if (!current) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
  if (current.status === target) return { workspace: current, isChanged: false, revokedSessions: 0 };
  if (target === 'suspended' && current.status === 'deleted') {
    throw tenancyErrors.create('WORKSPACE_STATUS_CONFLICT', 'A deleted workspace cannot be suspended; restore it first');
  }
  if (target === 'deleted') {
    const children = await countLiveChildren(tx, id);
    if (children > 0) throw tenancyErrors.create('WORKSPACE_HAS_CHILDREN', `Delete its ${children} active child workspace(s) first`);
  }
  const workspace = await updateWorkspaceStatus(tx, id, target, target === 'active' ? null : options.reason ?? null);
  if (!workspace) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
  const revokedSessions = target === 'active' ? 0 : await identity.sessions.revokeWorkspaceSessions(tx, id, `workspace_${target}`);
  return { workspace, isChanged: true, revokedSessions };
}
