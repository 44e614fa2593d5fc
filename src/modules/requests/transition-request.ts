// POST /admin/requests/:id/transition: a platform admin moves a request along the pipeline.
// The move is checked against the pipeline (409 REQUEST_TRANSITION_INVALID), optionally against
// the status the admin saw (409 REQUEST_STATUS_CHANGED: the board was stale), stamped in the
// timeline and audited in the request's workspace chain, all in one transaction.
import type { AuditContext } from '../audit/index.ts';
import { canMove, isFinal, nextStatuses } from './pipeline.ts';
import { adminDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { AdminRequestDetail, TransitionInput } from './requests.schema.ts';
import { findRequestAnywhere, insertTimelineEntry, updateRequest } from './requests.store.ts';

export async function transitionRequest(ctx: RequestsContext, audit: AuditContext, id: string, input: TransitionInput): Promise<AdminRequestDetail> {
  return ctx.db.withPlatform(async (tx) => {
    const before = await findRequestAnywhere(tx, id, { forUpdate: true });
    if (!before) throw requestsErrors.create('REQUEST_NOT_FOUND');
    if (input.expectedStatus !== undefined && input.expectedStatus !== before.status) {
      throw requestsErrors.create('REQUEST_STATUS_CHANGED', `The request is now ${before.status}, not ${input.expectedStatus}`, { extra: { currentStatus: before.status } });
    }
    if (!canMove(before.status, input.to)) {
      const allowed = nextStatuses(before.status);
      const detail = allowed.length === 0
        ? `The request is ${before.status}, a final status`
        : `A ${before.status} request can move to ${allowed.join(' or ')}, not ${input.to}`;
      throw requestsErrors.create('REQUEST_TRANSITION_INVALID', detail, { extra: { from: before.status, to: input.to, allowed } });
    }
    const ws = before.workspaceId;
    const after = await updateRequest(tx, ws, id, { status: input.to, isClosing: isFinal(input.to) });
    await insertTimelineEntry(tx, {
      workspaceId: ws, requestId: id, kind: 'status_changed', fromStatus: before.status, toStatus: input.to, note: input.note ?? '',
      actorType: audit.actor.type, actorId: audit.actor.id,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'request.status_changed', targetType: 'workflow_request', targetId: id,
      diff: { before: { status: before.status }, after: { status: input.to, note: input.note ?? null } },
    });
    return adminDetail(tx, after);
  });
}
