// POST /requests/:id/withdraw: the client drops its request before a contract is signed.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { canWithdraw } from './pipeline.ts';
import { clientDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { RequestDetail } from './requests.schema.ts';
import { findRequest, insertTimelineEntry, updateRequest } from './requests.store.ts';

export async function withdrawRequest(ctx: RequestsContext, principal: Principal, audit: AuditContext, id: string, reason: string | undefined): Promise<RequestDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findRequest(tx, ws, id, { forUpdate: true });
    if (!before) throw requestsErrors.create('REQUEST_NOT_FOUND');
    if (!canWithdraw(before.status)) {
      throw requestsErrors.create('REQUEST_NOT_WITHDRAWABLE', `The request is ${before.status}; it can be withdrawn only before a contract is signed`, { extra: { currentStatus: before.status } });
    }
    const after = await updateRequest(tx, ws, id, { status: 'withdrawn', isClosing: true });
    await insertTimelineEntry(tx, {
      workspaceId: ws, requestId: id, kind: 'withdrawn', fromStatus: before.status, toStatus: 'withdrawn', note: reason ?? '',
      actorType: audit.actor.type, actorId: audit.actor.id,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'request.withdrawn', targetType: 'workflow_request', targetId: id,
      diff: { before: { status: before.status }, after: { status: 'withdrawn', reason: reason ?? null } },
    });
    return clientDetail(tx, after);
  });
}
