// GET /admin/requests: every workspace's requests for the platform admins' board (platform path).
import { adminView } from './request-detail.ts';
import type { RequestsContext } from './requests.context.ts';
import type { AdminRequestView } from './requests.schema.ts';
import { listAllRequests as selectAll } from './requests.store.ts';
import type { RequestStatus } from './pipeline.ts';

export type AdminRequestFilter = { status?: RequestStatus | 'open'; workspaceId?: string; limit: number; offset: number };

export async function listAllRequests(ctx: RequestsContext, filter: AdminRequestFilter): Promise<{ data: AdminRequestView[]; total: number; limit: number; offset: number }> {
  const { data, total } = await ctx.db.withPlatform((tx) => selectAll(tx, filter));
  return { data: data.map(adminView), total, limit: filter.limit, offset: filter.offset };
}
