// An impersonation that runs out: at its expiry a job ends it (ended_reason `expired`), revokes
// its session and records `impersonation.stopped` in the workspace's chain, as a stop by hand
// does. The token itself stops working at expiry anyway (session state); this makes the trail
// say so. Enqueued by start-impersonation.ts in the start's transaction.
import type { JobContext } from '../../../kernel/jobs/index.ts';
import { systemContext } from '../../audit/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { endImpersonation } from './impersonation.store.ts';

export const EXPIRE_IMPERSONATION_QUEUE = 'identity.impersonation_expiry';

export type ExpireImpersonationPayload = { sessionId: string; impersonatorId: string };

export async function expireImpersonation(ctx: IdentityContext, job: JobContext<ExpireImpersonationPayload>): Promise<void> {
  const workspaceId = job.workspaceId;
  if (!workspaceId) return;
  const { sessionId, impersonatorId } = job.payload;
  const ended = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    // Stopped by hand already, or not yet due (a job run early): nothing to do.
    const due = await tx.query('select 1 from impersonations where workspace_id = $1 and session_id = $2 and ended_at is null and expires_at <= now()', [workspaceId, sessionId]);
    if (due.rows.length === 0) return null;
    const row = await endImpersonation(tx, workspaceId, sessionId, 'expired');
    if (!row) return null;
    await ctx.sessions.revokeSession(tx, sessionId, 'impersonation_expired');
    const context = systemContext('atrium-jobs', { type: 'system', id: null, realActorId: impersonatorId });
    await ctx.audit.record(tx, context, {
      workspaceId, action: 'impersonation.stopped', targetType: 'user', targetId: row.targetUserId,
      diff: { after: { impersonationId: row.id, sessionId, impersonatorId: row.impersonatorId, endedAt: row.endedAt, endedReason: 'expired' } },
    });
    return row;
  });
  if (ended) ctx.invalidateSessionCache(sessionId);
}
