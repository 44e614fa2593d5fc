// An owner soft-deletes their current workspace: status `deleted`, data kept, every session
// bound to it revoked; a platform admin can restore it. Audit: `workspace.deleted`.
import type { AuditContext, AuditModule } from '../audit/index.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { IdentityModule } from '../identity/index.ts';
import { changeWorkspaceStatus } from './change-workspace-status.ts';
import type { StatusChange } from './change-workspace-status.ts';

export async function deleteCurrentWorkspace(
  deps: { db: Database; identity: Pick<IdentityModule, 'sessions' | 'invalidateSessionCache'>; audit: Pick<AuditModule, 'record'> },
  workspaceId: string,
  audit: AuditContext,
): Promise<StatusChange> {
  const change = await deps.db.withWorkspace(workspaceId, async (tx) => {
    const reason = 'deleted by an owner';
    const result = await changeWorkspaceStatus(tx, deps.identity, workspaceId, 'deleted', { reason });
    if (result.isChanged) {
      await deps.audit.record(tx, audit, {
        workspaceId, action: 'workspace.deleted', targetType: 'workspace', targetId: workspaceId,
        diff: { before: { status: 'active' }, after: { status: 'deleted', reason, revokedSessions: result.revokedSessions } },
      });
    }
    return result;
  });
  deps.identity.invalidateSessionCache();
  return change;
}
