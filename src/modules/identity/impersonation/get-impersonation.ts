// GET /impersonation/current: the impersonation the calling session is (who acts, as whom,
// until when), or null for an ordinary session. The console's banner reads it.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { IdentityContext } from '../identity.context.ts';
import { findImpersonationBySession } from './impersonation.store.ts';
import type { CurrentImpersonation } from './impersonation.store.ts';

export async function getCurrentImpersonation(ctx: IdentityContext, principal: Principal): Promise<CurrentImpersonation | null> {
  const sessionId = principal.sessionId;
  if (principal.kind !== 'user' || !principal.impersonatorId || !sessionId) return null;
  return ctx.db.withWorkspace(principal.workspaceId, (tx) => findImpersonationBySession(tx, principal.workspaceId, sessionId));
}
