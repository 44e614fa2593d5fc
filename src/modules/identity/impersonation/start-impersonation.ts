// POST /impersonation: a platform admin (any workspace) or a holder of `impersonation.start`
// (their own workspace only) opens a session of another user, for at most 60 minutes, with a
// written reason. Refused: oneself, platform admins, users who opted out, a member whose role
// is above the caller's (workspace path), and a workspace owner unless a second platform admin
// approved a request of this caller less than 15 minutes ago (the approval is spent).
// Audit: `impersonation.started` in the target workspace's chain, in the same transaction.
import type { Tx } from '../../../kernel/db/database.ts';
import type { AuditContext } from '../../audit/index.ts';
import { withActor } from '../../audit/index.ts';
import { canGrantRole } from '../../access/index.ts';
import type { Role } from '../../access/index.ts';
import type { ClientInfo, IdentityContext } from '../identity.context.ts';
import { impersonationErrors } from './impersonation.errors.ts';
import { findFirstWorkspaceOf, findTarget, insertImpersonation, takeApproval } from './impersonation.store.ts';
import type { ImpersonationRow } from './impersonation.store.ts';
import type { TokenPair } from '../sessions.ts';
import { EXPIRE_IMPERSONATION_QUEUE } from './expire-impersonation.job.ts';
import { counters } from '../../../kernel/counters.ts';

export const MAX_IMPERSONATION_MINUTES = 60;

/** Who starts: `mayStart` is the route's answer to "platform admin, or holds impersonation.start here". */
export type Impersonator = { userId: string; workspaceId: string; role: Role; isPlatformAdmin: boolean; mayStart: boolean };

export type StartImpersonationInput = { userId: string; workspaceId?: string; reason: string; durationMinutes?: number };

export type StartedImpersonation = TokenPair & {
  workspaceId: string;
  impersonation: ImpersonationRow;
  target: { id: string; email: string; name: string; role: Role };
};

export async function startImpersonation(ctx: IdentityContext, actor: Impersonator, input: StartImpersonationInput, client: ClientInfo, audit: AuditContext): Promise<StartedImpersonation> {
  if (!actor.mayStart) throw impersonationErrors.create('IMPERSONATION_NOT_ALLOWED', 'Platform admins, or members holding impersonation.start, may impersonate');
  const userId = input.userId.toLowerCase();
  if (userId === actor.userId) throw impersonationErrors.create('IMPERSONATION_SELF');
  const minutes = Math.min(input.durationMinutes ?? MAX_IMPERSONATION_MINUTES, MAX_IMPERSONATION_MINUTES);
  const reason = input.reason.trim();

  // The workspace comes from the principal, except on the platform admin's cross-workspace path.
  const named = input.workspaceId?.toLowerCase();
  if (!actor.isPlatformAdmin && named !== undefined && named !== actor.workspaceId) throw impersonationErrors.create('IMPERSONATION_TARGET_NOT_FOUND');
  const run = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => (actor.isPlatformAdmin ? ctx.db.withPlatform(fn) : ctx.db.withWorkspace(actor.workspaceId, fn));
  const context = actor.isPlatformAdmin ? withActor(audit, { type: 'platform_admin', id: actor.userId }) : audit;

  const started = await run(async (tx) => {
    const workspaceId = actor.isPlatformAdmin ? (named ?? (await findFirstWorkspaceOf(tx, userId))) : actor.workspaceId;
    const target = workspaceId ? await findTarget(tx, workspaceId, userId) : null;
    if (!workspaceId || !target) throw impersonationErrors.create('IMPERSONATION_TARGET_NOT_FOUND');
    if (target.isPlatformAdmin) throw impersonationErrors.create('IMPERSONATION_TARGET_PLATFORM_ADMIN');
    if (!target.allowsImpersonation) throw impersonationErrors.create('IMPERSONATION_OPTED_OUT');
    if (!actor.isPlatformAdmin && !canGrantRole(actor.role, target.role)) throw impersonationErrors.create('IMPERSONATION_TARGET_ROLE');
    let requestId: string | null = null;
    if (target.role === 'owner') {
      requestId = actor.isPlatformAdmin ? await takeApproval(tx, workspaceId, userId, actor.userId) : null;
      if (!requestId) {
        throw impersonationErrors.create('IMPERSONATION_APPROVAL_REQUIRED',
          'Ask with POST /impersonation/requests; once another platform admin approves, start within 15 minutes');
      }
    }
    const pair = await ctx.sessions.openImpersonationSession(tx, {
      userId, workspaceId, role: target.role, impersonatorId: actor.userId, minutes, ip: client.ip, userAgent: client.userAgent,
    });
    const { startedAt, expiresAt, ...tokens } = pair;
    const impersonation = await insertImpersonation(tx, {
      workspaceId, impersonatorId: actor.userId, targetUserId: userId, sessionId: pair.sessionId, requestId, reason,
      startedAt, expiresAt,
    });
    await ctx.audit.record(tx, context, {
      workspaceId, action: 'impersonation.started', targetType: 'user', targetId: userId,
      diff: { after: { impersonationId: impersonation.id, sessionId: pair.sessionId, impersonatorId: actor.userId, reason, expiresAt: impersonation.expiresAt, approvalRequestId: requestId } },
    });
    // Its end is recorded even if nobody stops it: a job at the expiry (the engine runs it).
    await ctx.jobs?.enqueue(tx, EXPIRE_IMPERSONATION_QUEUE, { sessionId: pair.sessionId, impersonatorId: actor.userId }, {
      workspaceId, runAt: new Date(impersonation.expiresAt), actor: { type: 'system', id: null, realActorId: actor.userId },
    });
    return { ...tokens, workspaceId, impersonation, target: { id: userId, email: target.email, name: target.name, role: target.role } };
  });
  counters.impersonationsStarted.inc();
  return started;
}
