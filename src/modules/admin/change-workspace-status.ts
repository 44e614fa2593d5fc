// Suspend, restore and soft-delete any workspace. Leaving `active` revokes the workspace's
// sessions (tenancy does it in the same transaction); the cache is cleared after commit.
// Audit: `workspace.suspended|restored|deleted` in the workspace's chain, same transaction.
import { isUuid } from '../../kernel/ids.ts';
import type { AuditContext } from '../audit/index.ts';
import { tenancyErrors } from '../tenancy/index.ts';
import type { WorkspaceStatus } from '../tenancy/index.ts';
import type { AdminContext } from './admin.context.ts';
import type { AdminWorkspace } from './list-workspaces.ts';

const ACTIONS: Record<WorkspaceStatus, string> = { active: 'workspace.restored', suspended: 'workspace.suspended', deleted: 'workspace.deleted' };

export type AdminStatusChange = { workspace: AdminWorkspace; isChanged: boolean; revokedSessions: number };

/** `idOrSlug`: the routes pass an id; the CLI also accepts a slug. */
export async function changeWorkspaceStatus(
  deps: Pick<AdminContext, 'db' | 'log' | 'tenancy' | 'identity' | 'audit'>,
  audit: AuditContext,
  idOrSlug: string,
  target: WorkspaceStatus,
  options: { reason?: string } = {},
): Promise<AdminStatusChange> {
  const change = await deps.db.withPlatform(async (tx) => {
    const found = await deps.tenancy.findWorkspace(tx, idOrSlug);
    if (!found) throw tenancyErrors.create('WORKSPACE_NOT_FOUND', isUuid(idOrSlug) ? undefined : `No workspace with the slug "${idOrSlug}"`);
    const result = await deps.tenancy.changeStatus(tx, found.id, target, { reason: options.reason ?? null });
    if (result.isChanged) {
      await deps.audit.record(tx, audit, {
        workspaceId: found.id, action: ACTIONS[target], targetType: 'workspace', targetId: found.id,
        diff: { before: { status: found.status }, after: { status: target, reason: options.reason ?? null, revokedSessions: result.revokedSessions } },
      });
    }
    const counts = await deps.identity.directory.countMembers(tx, [found.id]);
    return { ...result, workspace: { ...result.workspace, memberCount: counts.get(found.id) ?? 0 } };
  });
  // Cached per-session state (workspace status) must not outlive the change in this process.
  if (change.isChanged) deps.identity.invalidateSessionCache();
  return change;
}
