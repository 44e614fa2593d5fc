// PATCH /auth/preferences: the caller's account preferences; today whether support may
// impersonate them (default: allowed). A change is recorded (`user.preferences_updated`) in
// the chain of every active workspace the user belongs to, since each may be impersonated in.
// Refused while impersonating (the route is sensitive): an admin can't lift an opt-out.
import type { AuditContext } from '../audit/index.ts';
import type { IdentityContext, UserActor } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import type { Preferences } from './get-preferences.ts';
import { readAllowsImpersonation, writeAllowsImpersonation } from './impersonation/impersonation.store.ts';
import { listUserMemberships } from './users.store.ts';

export async function updatePreferences(ctx: IdentityContext, actor: UserActor, input: Partial<Preferences>, audit: AuditContext): Promise<Preferences> {
  return ctx.db.withIdentity(async (tx) => {
    const before = await readAllowsImpersonation(tx, actor.userId, { isLocking: true });
    if (before === null) throw identityErrors.create('USER_NOT_FOUND');
    const after = input.allowImpersonation ?? before;
    if (after === before) return { allowImpersonation: after };
    await writeAllowsImpersonation(tx, actor.userId, after);
    const workspaceIds = new Set((await listUserMemberships(tx, actor.userId)).filter((m) => m.status === 'active').map((m) => m.workspaceId));
    workspaceIds.add(actor.workspaceId);
    for (const workspaceId of workspaceIds) {
      await ctx.audit.record(tx, audit, {
        workspaceId, action: 'user.preferences_updated', targetType: 'user', targetId: actor.userId,
        diff: { before: { allowImpersonation: before }, after: { allowImpersonation: after } },
      });
    }
    return { allowImpersonation: after };
  });
}
