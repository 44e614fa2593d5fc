// PUT /members/:userId/roles: the member's custom roles become exactly `roleIds` (their base role
// is untouched, so the last owner stays owner whatever custom roles they hold). Nobody changes
// someone whose base role is above theirs, and every role added or removed must be within the
// caller's reach (they hold each of its permissions for every resource). A role of another
// workspace answers 404. Audit: `member.roles_changed` (when the set changes).
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { canGrantRole } from '../../access/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { getMember, lockTargetAndOwners } from './members.store.ts';
import type { MemberWithRoles } from './list-members.ts';

export async function assignMemberRoles(ctx: IdentityContext, principal: Principal, userId: string, roleIds: readonly string[], audit: AuditContext): Promise<MemberWithRoles> {
  const ws = principal.workspaceId;
  const member = await ctx.db.withWorkspace(ws, async (tx) => {
    const { target } = await lockTargetAndOwners(tx, ws, userId);
    if (!target) throw identityErrors.create('MEMBER_NOT_FOUND');
    if (!canGrantRole(principal.role, target.role)) {
      throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${principal.role}) cannot change a member who is ${target.role}`);
    }
    const before = (await ctx.access.memberRoleIds(tx, ws, [userId])).get(userId) ?? [];
    const { wanted, changed } = await ctx.access.checkRoleChange(tx, ws, principal, before, roleIds);
    if (changed.length > 0) {
      await ctx.access.setMemberRoles(tx, ws, userId, wanted, principal.userId);
      await ctx.audit.record(tx, audit, {
        workspaceId: ws, action: 'member.roles_changed', targetType: 'member', targetId: userId,
        diff: { before: { roleIds: before }, after: { roleIds: wanted } },
      });
    }
    const view = await getMember(tx, ws, userId);
    return { ...view!, roleIds: wanted };
  });
  // Their next request in this process sees the new roles; other processes within 2 s.
  ctx.access.invalidate(ws);
  return member;
}
