import { adminDetail } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import { requestsErrors } from './requests.errors.ts';
import type { AdminRequestDetail } from './requests.schema.ts';
import { findRequestAnywhere } from './requests.store.ts';

/** A request of any workspace with its whole timeline, internal notes included (platform path). */
export async function getRequestForAdmin(ctx: RequestsContext, id: string): Promise<AdminRequestDetail> {
  return ctx.db.withPlatform(async (tx) => {
    const request = await findRequestAnywhere(tx, id);
    if (!request) throw requestsErrors.create('REQUEST_NOT_FOUND');
    return adminDetail(tx, request);
  });
}
