// DELETE /members/:userId: removing someone needs member.remove and a role at least theirs;
// anyone may remove themselves (leave). The last owner can't go. The removed user's sessions
// in this workspace are revoked in the same transaction. Audit: `member.removed`, or `member.left`.
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { kernelErrors } from '../../../kernel/errors.ts';
import { can, canGrantRole } from '../../access/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { deleteMember, lockTargetAndOwners } from './members.store.ts';

export async function removeMember(ctx: IdentityContext, principal: Principal, userId: string, audit: AuditContext): Promise<void> {
  const ws = principal.workspaceId;
  const isSelf = principal.kind === 'user' && principal.userId === userId;
  if (!isSelf && !can(principal, 'member.remove')) throw kernelErrors.create('FORBIDDEN', 'Missing permission member.remove');
  await ctx.db.withWorkspace(ws, async (tx) => {
    const { target, ownerCount } = await lockTargetAndOwners(tx, ws, userId);
    if (!target) throw identityErrors.create('MEMBER_NOT_FOUND');
    if (!isSelf && !canGrantRole(principal.role, target.role)) {
      throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${principal.role}) cannot remove a member who is ${target.role}`);
    }
    if (target.role === 'owner' && ownerCount <= 1) throw identityErrors.create('LAST_OWNER', 'Make someone else an owner first');
    await deleteMember(tx, ws, userId);
    const revoked = await ctx.sessions.revokeUserWorkspaceSessions(tx, userId, ws, 'removed_from_workspace');
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: isSelf ? 'member.left' : 'member.removed', targetType: 'member', targetId: userId,
      diff: { before: { role: target.role }, after: { revokedSessions: revoked.length } },
    });
  });
  // Their sessions bound elsewhere live on, but any token for this workspace now finds no
  // membership; drop this process's cached session state so that holds at once.
  ctx.invalidateSessionCache();
}
