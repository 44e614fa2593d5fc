// An owner soft-deletes their current workspace: status `deleted`, data kept, every session
// bound to it revoked; a platform admin can restore it.
import type { Database } from '../../kernel/db/database.ts';
import type { IdentityModule } from '../identity/index.ts';
import { changeWorkspaceStatus } from './change-workspace-status.ts';
import type { StatusChange } from './change-workspace-status.ts';

export async function deleteCurrentWorkspace(
  deps: { db: Database; identity: Pick<IdentityModule, 'sessions' | 'invalidateSessionCache'> },
  workspaceId: string,
): Promise<StatusChange> {
  const change = await deps.db.withWorkspace(workspaceId, (tx) => changeWorkspaceStatus(tx, deps.identity, workspaceId, 'deleted', { reason: 'deleted by an owner' }));
  deps.identity.invalidateSessionCache();
  return change;
}
