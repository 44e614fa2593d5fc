// PUT /admin/requests/:id/estimate: a platform admin sets (or revises) the price and delivery
// date; the client sees it on the request and in the timeline.
import type { AuditContext } from '../audit/index.ts';
import { isFinal } from './pipeline.ts';
import { adminDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { AdminRequestDetail, EstimateInput } from './requests.schema.ts';
import { findRequestAnywhere, insertTimelineEntry, updateRequest } from './requests.store.ts';

export async function estimateRequest(ctx: RequestsContext, audit: AuditContext, id: string, input: EstimateInput): Promise<AdminRequestDetail> {
  return ctx.db.withPlatform(async (tx) => {
    const before = await findRequestAnywhere(tx, id, { forUpdate: true });
    if (!before) throw requestsErrors.create('REQUEST_NOT_FOUND');
    if (isFinal(before.status)) throw requestsErrors.create('REQUEST_CLOSED', `The request is ${before.status}; its estimate can no longer change`, { extra: { currentStatus: before.status } });
    const estimate = { amountMinor: input.amountMinor, currency: input.currency, deliveryDate: input.deliveryDate ?? null };
    const ws = before.workspaceId;
    const after = await updateRequest(tx, ws, id, { estimate });
    await insertTimelineEntry(tx, {
      workspaceId: ws, requestId: id, kind: 'estimated', note: input.note ?? '', actorType: audit.actor.type, actorId: audit.actor.id, details: estimate,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'request.estimated', targetType: 'workflow_request', targetId: id,
      diff: { before: { estimate: before.estimate }, after: { estimate } },
    });
    return adminDetail(tx, after);
  });
}
