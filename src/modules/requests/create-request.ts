// POST /requests: a workspace asks for a new automation. The request starts `submitted`, with
// the first timeline entry and its audit event, in one transaction.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { clientDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import type { CreateRequestInput, RequestDetail } from './requests.schema.ts';
import { insertRequest, insertTimelineEntry } from './requests.store.ts';

export async function createRequest(ctx: RequestsContext, principal: Principal, audit: AuditContext, input: CreateRequestInput): Promise<RequestDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const request = await insertRequest(tx, {
      workspaceId: ws, title: input.title.trim(), description: input.description ?? '', useCase: input.useCase ?? '',
      frequency: input.frequency, budget: input.budget ?? null, createdBy: principal.userId, createdByKey: principal.apiKeyId,
    });
    await insertTimelineEntry(tx, { workspaceId: ws, requestId: request.id, kind: 'submitted', toStatus: 'submitted', actorType: audit.actor.type, actorId: audit.actor.id });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'request.created', targetType: 'workflow_request', targetId: request.id,
      diff: { before: null, after: { title: request.title, frequency: request.frequency, budget: request.budget, status: request.status } },
    });
    return clientDetail(tx, request);
  });
}
