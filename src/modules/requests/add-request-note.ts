// POST /admin/requests/:id/notes: a platform admin writes in the timeline, for the client or,
// with isInternal, for the admins only.
import type { AuditContext } from '../audit/index.ts';
import { adminDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { AdminRequestDetail, NoteInput } from './requests.schema.ts';
import { findRequestAnywhere, insertTimelineEntry } from './requests.store.ts';

export async function addRequestNote(ctx: RequestsContext, audit: AuditContext, id: string, input: NoteInput): Promise<AdminRequestDetail> {
  return ctx.db.withPlatform(async (tx) => {
    const request = await findRequestAnywhere(tx, id);
    if (!request) throw requestsErrors.create('REQUEST_NOT_FOUND');
    const ws = request.workspaceId;
    const entryId = await insertTimelineEntry(tx, {
      workspaceId: ws, requestId: id, kind: 'note', note: input.note, isInternal: input.isInternal, actorType: audit.actor.type, actorId: audit.actor.id,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'request.noted', targetType: 'workflow_request', targetId: id,
      diff: { after: { entryId, isInternal: input.isInternal, length: input.note.length } },
    });
    return adminDetail(tx, request);
  });
}
