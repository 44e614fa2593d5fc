// PATCH /requests/:id: the client corrects its request while it is still `submitted` (once an
// admin reviews it, changes go through the conversation). Timeline and audit say what changed.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { isEditable } from './pipeline.ts';
import { clientDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { RequestDetail, RequestView, UpdateRequestInput } from './requests.schema.ts';
import { findRequest, insertTimelineEntry, updateRequest as writeRequest } from './requests.store.ts';
import type { RequestChanges } from './requests.store.ts';

const FIELDS = ['title', 'description', 'useCase', 'frequency', 'budget'] as const;

export async function updateRequest(ctx: RequestsContext, principal: Principal, audit: AuditContext, id: string, input: UpdateRequestInput): Promise<RequestDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findRequest(tx, ws, id, { forUpdate: true });
    if (!before) throw requestsErrors.create('REQUEST_NOT_FOUND');
    if (!isEditable(before.status)) throw requestsErrors.create('REQUEST_NOT_EDITABLE', `The request is ${before.status}; it can be edited only while submitted`, { extra: { currentStatus: before.status } });
    const changes: RequestChanges = { ...input, ...(input.title !== undefined ? { title: input.title.trim() } : {}) };
    const changed = FIELDS.filter((f) => changes[f] !== undefined && JSON.stringify(changes[f]) !== JSON.stringify(before[f]));
    if (changed.length === 0) return clientDetail(tx, before);
    const after = await writeRequest(tx, ws, id, changes);
    await insertTimelineEntry(tx, { workspaceId: ws, requestId: id, kind: 'updated', actorType: audit.actor.type, actorId: audit.actor.id, details: { fields: changed } });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'request.updated', targetType: 'workflow_request', targetId: id,
      diff: { before: pick(before, changed), after: pick(after, changed) },
    });
    return clientDetail(tx, after);
  });
}

function pick(view: RequestView, fields: readonly (typeof FIELDS)[number][]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, view[f]]));
}
