// End every session of a workspace or of a user at once (compromise, offboarding).
// Audit: `workspace.sessions_revoked` in the workspace's chain; `user.sessions_revoked` in the
// chain of each workspace the user belongs to (with that workspace's count). Sessions still
// bound to a workspace the user has left are revoked too, but no chain is theirs to record in.
import type { AuditContext } from '../audit/index.ts';
import { tenancyErrors } from '../tenancy/index.ts';
import type { AdminContext } from './admin.context.ts';
import { adminErrors } from './admin.errors.ts';

export async function logoutWorkspace(deps: Pick<AdminContext, 'db' | 'log' | 'tenancy' | 'identity' | 'audit'>, audit: AuditContext, workspaceId: string): Promise<{ revokedSessions: number }> {
  const revokedSessions = await deps.db.withPlatform(async (tx) => {
    if (!(await deps.tenancy.findWorkspace(tx, workspaceId))) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
    const count = await deps.identity.sessions.revokeWorkspaceSessions(tx, workspaceId, 'forced_logout');
    await deps.audit.record(tx, audit, {
      workspaceId, action: 'workspace.sessions_revoked', targetType: 'workspace', targetId: workspaceId,
      diff: { after: { reason: 'forced_logout', revokedSessions: count } },
    });
    return count;
  });
  deps.identity.invalidateSessionCache();
  return { revokedSessions };
}

export async function logoutUser(deps: Pick<AdminContext, 'db' | 'log' | 'identity' | 'audit'>, audit: AuditContext, userId: string): Promise<{ revokedSessions: number }> {
  const revokedSessions = await deps.db.withPlatform(async (tx) => {
    if (!(await deps.identity.users.findById(tx, userId))) throw adminErrors.create('USER_NOT_FOUND');
    let count = 0;
    for (const membership of await deps.identity.users.memberships(tx, userId)) {
      const revoked = await deps.identity.sessions.revokeUserWorkspaceSessions(tx, userId, membership.workspaceId, 'forced_logout');
      count += revoked.length;
      await deps.audit.record(tx, audit, {
        workspaceId: membership.workspaceId, action: 'user.sessions_revoked', targetType: 'user', targetId: userId,
        diff: { after: { reason: 'forced_logout', revokedSessions: revoked.length } },
      });
    }
    return count + (await deps.identity.sessions.revokeUserSessions(tx, userId, 'forced_logout'));
  });
  deps.identity.invalidateSessionCache();
  return { revokedSessions };
}
