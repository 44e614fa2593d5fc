// POST /impersonation/requests/:id/approve (platform admins): a SECOND platform admin approves
// a pending request (never its requester; the table refuses it too). The requester then has
// 15 minutes to start, once. Requests older than 24 hours can't be approved.
// Audit: `impersonation.approved` in the owner's workspace.
import type { AuditContext } from '../../audit/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { impersonationErrors } from './impersonation.errors.ts';
import { approveRequest, findRequestForUpdate } from './impersonation.store.ts';
import type { ImpersonationRequest } from './impersonation.store.ts';

export async function approveImpersonation(ctx: IdentityContext, approverId: string, requestId: string, audit: AuditContext): Promise<ImpersonationRequest> {
  return ctx.db.withPlatform(async (tx) => {
    const request = await findRequestForUpdate(tx, requestId.toLowerCase());
    if (!request) throw impersonationErrors.create('IMPERSONATION_REQUEST_NOT_FOUND');
    if (request.requestedBy === approverId) throw impersonationErrors.create('IMPERSONATION_SELF_APPROVAL');
    if (request.status !== 'pending') throw impersonationErrors.create('IMPERSONATION_REQUEST_NOT_PENDING');
    if (request.isExpired) throw impersonationErrors.create('IMPERSONATION_REQUEST_EXPIRED');
    const approved = await approveRequest(tx, request.workspaceId, request.id, approverId);
    await ctx.audit.record(tx, audit, {
      workspaceId: request.workspaceId, action: 'impersonation.approved', targetType: 'impersonation_request', targetId: request.id,
      diff: { before: { status: 'pending' }, after: { status: 'approved', approvedBy: approverId, requestedBy: request.requestedBy, targetUserId: request.targetUserId, usableUntil: approved.usableUntil } },
    });
    return approved;
  });
}
