// POST /impersonation/stop, with the impersonation session's token: the session is revoked (its
// tokens stop working at once in this process, within seconds elsewhere) and the impersonation
// marked ended. The console then restores the admin's own tokens, which it kept aside.
// Audit: `impersonation.stopped` (actor: the impersonated user; real actor: the admin).
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { impersonationErrors } from './impersonation.errors.ts';
import { endImpersonation } from './impersonation.store.ts';

export async function stopImpersonation(ctx: IdentityContext, principal: Principal, audit: AuditContext): Promise<{ stoppedAt: string; impersonationId: string }> {
  const sessionId = principal.sessionId;
  if (principal.kind !== 'user' || !principal.impersonatorId || !sessionId) throw impersonationErrors.create('NOT_IMPERSONATING');
  const result = await ctx.db.withWorkspace(principal.workspaceId, async (tx) => {
    const ended = await endImpersonation(tx, principal.workspaceId, sessionId, 'stopped');
    if (!ended) throw impersonationErrors.create('NOT_IMPERSONATING', 'This impersonation has already ended');
    await ctx.sessions.revokeSession(tx, sessionId, 'impersonation_stopped');
    await ctx.audit.record(tx, audit, {
      workspaceId: principal.workspaceId, action: 'impersonation.stopped', targetType: 'user', targetId: ended.targetUserId,
      diff: { after: { impersonationId: ended.id, sessionId, impersonatorId: ended.impersonatorId, endedAt: ended.endedAt } },
    });
    return { stoppedAt: ended.endedAt ?? new Date().toISOString(), impersonationId: ended.id };
  });
  ctx.invalidateSessionCache(sessionId);
  return result;
}
