// POST /auth/switch: the same session, now bound to another workspace the user belongs to.
// Audit: `session.workspace_switched`, in the workspace the session enters.
import type { AuditContext } from '../audit/index.ts';
import type { IdentityContext, UserActor } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import { findActiveMembership } from './pick-workspace.ts';
import type { TokenPair } from './sessions.ts';
import { listUserMemberships } from './users.store.ts';

export async function switchWorkspace(ctx: IdentityContext, actor: UserActor, workspaceId: string, audit: AuditContext): Promise<TokenPair & { workspaceId: string }> {
  return ctx.db.withIdentity(async (tx) => {
    const membership = findActiveMembership(await listUserMemberships(tx, actor.userId), workspaceId.toLowerCase());
    if (!membership) throw identityErrors.create('WORKSPACE_NOT_MEMBER', 'You are not a member of an active workspace with this id');
    const pair = await ctx.sessions.switchWorkspace(tx, {
      userId: actor.userId, sessionId: actor.sessionId, workspaceId: membership.workspaceId, role: membership.role, isPlatformAdmin: actor.isPlatformAdmin,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: membership.workspaceId, action: 'session.workspace_switched', targetType: 'session', targetId: actor.sessionId,
      diff: { before: { workspaceId: actor.workspaceId }, after: { workspaceId: membership.workspaceId } },
    });
    return { ...pair, workspaceId: membership.workspaceId };
  });
}
