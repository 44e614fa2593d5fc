import type { Principal } from '../../kernel/http/principal.ts';
import type { RequestsContext } from './requests.context.ts';
import type { RequestView } from './requests.schema.ts';
import { listRequests as selectRequests } from './requests.store.ts';
import type { RequestFilter } from './requests.store.ts';

/** The workspace's requests, newest first, keyset-paged on the id (UUIDv7: creation order). */
export async function listRequests(ctx: RequestsContext, principal: Principal, filter: RequestFilter): Promise<{ data: RequestView[]; total: number; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const { data, total } = await ctx.db.withWorkspace(ws, (tx) => selectRequests(tx, ws, filter));
  return { data, total, nextCursor: data.length === filter.limit ? data[data.length - 1].id : null };
}
