// GET /impersonation/requests (platform admins): requests waiting for a second admin, and
// approved ones still usable, across workspaces.
import type { IdentityContext } from '../identity.context.ts';
import { listOpenRequests } from './impersonation.store.ts';
import type { ImpersonationRequest } from './impersonation.store.ts';

export async function listImpersonationRequests(ctx: IdentityContext, limit: number): Promise<ImpersonationRequest[]> {
  return ctx.db.withPlatform((tx) => listOpenRequests(tx, limit));
}
