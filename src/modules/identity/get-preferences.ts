// GET /auth/preferences: the caller's own account preferences.
import type { IdentityContext, UserActor } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import { readAllowsImpersonation } from './impersonation/impersonation.store.ts';

export type Preferences = { allowImpersonation: boolean };

export async function getPreferences(ctx: IdentityContext, actor: UserActor): Promise<Preferences> {
  const allow = await ctx.db.withIdentity((tx) => readAllowsImpersonation(tx, actor.userId));
  if (allow === null) throw identityErrors.create('USER_NOT_FOUND');
  return { allowImpersonation: allow };
}
