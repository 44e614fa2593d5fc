// End every session of a workspace or of a user at once (compromise, offboarding).
import { tenancyErrors } from '../tenancy/index.ts';
import type { AdminDeps } from './admin.deps.ts';
import { adminErrors } from './admin.errors.ts';
import { recordAdminAction } from './admin-audit.ts';
import type { AdminActor } from './admin-audit.ts';

export async function logoutWorkspace(deps: Pick<AdminDeps, 'db' | 'log' | 'tenancy' | 'identity'>, actor: AdminActor, workspaceId: string): Promise<{ revokedSessions: number }> {
  const revokedSessions = await deps.db.withPlatform(async (tx) => {
    if (!(await deps.tenancy.findWorkspace(tx, workspaceId))) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
    return deps.identity.sessions.revokeWorkspaceSessions(tx, workspaceId, 'forced_logout');
  });
  deps.identity.invalidateSessionCache();
  recordAdminAction(deps.log, actor, 'workspace.sessions_revoked', { workspaceId, revokedSessions });
  return { revokedSessions };
}

export async function logoutUser(deps: Pick<AdminDeps, 'db' | 'log' | 'identity'>, actor: AdminActor, userId: string): Promise<{ revokedSessions: number }> {
  const revokedSessions = await deps.db.withPlatform(async (tx) => {
    if (!(await deps.identity.users.findById(tx, userId))) throw adminErrors.create('USER_NOT_FOUND');
    return deps.identity.sessions.revokeUserSessions(tx, userId, 'forced_logout');
  });
  deps.identity.invalidateSessionCache();
  recordAdminAction(deps.log, actor, 'user.sessions_revoked', { userId, revokedSessions });
  return { revokedSessions };
}
