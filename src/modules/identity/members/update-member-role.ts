// PATCH /members/:userId: nobody grants a role above their own nor changes someone who
// outranks them, and the last owner can't be demoted. Audit: `member.role_changed` (when it changes).
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { canGrantRole } from '../../access/index.ts';
import type { Role } from '../../access/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { getMember, lockTargetAndOwners, updateMemberRole } from './members.store.ts';
import type { MemberView } from './members.store.ts';

export async function changeMemberRole(ctx: IdentityContext, principal: Principal, userId: string, role: Role, audit: AuditContext): Promise<MemberView> {
  const ws = principal.workspaceId;
  const member = await ctx.db.withWorkspace(ws, async (tx) => {
    const { target, ownerCount } = await lockTargetAndOwners(tx, ws, userId);
    if (!target) throw identityErrors.create('MEMBER_NOT_FOUND');
    if (!canGrantRole(principal.role, role)) throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${principal.role}) cannot grant ${role}`);
    if (!canGrantRole(principal.role, target.role)) throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${principal.role}) cannot change a member who is ${target.role}`);
    if (target.role === 'owner' && role !== 'owner' && ownerCount <= 1) {
      throw identityErrors.create('LAST_OWNER', 'Make someone else an owner first');
    }
    if (target.role !== role) {
      await updateMemberRole(tx, ws, userId, role);
      await ctx.audit.record(tx, audit, {
        workspaceId: ws, action: 'member.role_changed', targetType: 'member', targetId: userId,
        diff: { before: { role: target.role }, after: { role } },
      });
    }
    return getMember(tx, ws, userId);
  });
  // Sessions re-read the role on their next request; drop this process's cached copy now.
  ctx.invalidateSessionCache();
  return member!;
}
