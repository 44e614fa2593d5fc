import type { Principal } from '../../kernel/http/principal.ts';
import { clientDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { RequestDetail } from './requests.schema.ts';
import { findRequest } from './requests.store.ts';

/** One of the workspace's requests with its timeline (internal notes left out). Another workspace's id: 404. */
export async function getRequest(ctx: RequestsContext, principal: Principal, id: string): Promise<RequestDetail> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const request = await findRequest(tx, ws, id);
    if (!request) throw requestsErrors.create('REQUEST_NOT_FOUND');
    return clientDetail(tx, request);
  });
}
