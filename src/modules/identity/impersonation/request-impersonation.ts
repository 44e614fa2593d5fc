// POST /impersonation/requests (platform admins): the first step of the "procedure" for
// impersonating a workspace owner. The same refusals as a start apply now, so a request that
// could never be used is not created. Audit: `impersonation.requested` in the owner's workspace.
import type { AuditContext } from '../../audit/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { impersonationErrors } from './impersonation.errors.ts';
import { findTarget, insertRequest } from './impersonation.store.ts';
import type { ImpersonationRequest } from './impersonation.store.ts';

export async function requestImpersonation(ctx: IdentityContext, requesterId: string, input: { userId: string; workspaceId: string; reason: string }, audit: AuditContext): Promise<ImpersonationRequest> {
  const userId = input.userId.toLowerCase();
  const workspaceId = input.workspaceId.toLowerCase();
  if (userId === requesterId) throw impersonationErrors.create('IMPERSONATION_SELF');
  return ctx.db.withPlatform(async (tx) => {
    const target = await findTarget(tx, workspaceId, userId);
    if (!target) throw impersonationErrors.create('IMPERSONATION_TARGET_NOT_FOUND');
    if (target.isPlatformAdmin) throw impersonationErrors.create('IMPERSONATION_TARGET_PLATFORM_ADMIN');
    if (!target.allowsImpersonation) throw impersonationErrors.create('IMPERSONATION_OPTED_OUT');
    if (target.role !== 'owner') throw impersonationErrors.create('IMPERSONATION_APPROVAL_NOT_NEEDED', 'Start the impersonation directly');
    const request = await insertRequest(tx, { workspaceId, requestedBy: requesterId, targetUserId: userId, reason: input.reason.trim() });
    await ctx.audit.record(tx, audit, {
      workspaceId, action: 'impersonation.requested', targetType: 'impersonation_request', targetId: request.id,
      diff: { after: { targetUserId: userId, requestedBy: requesterId, reason: request.reason } },
    });
    return request;
  });
}
