import type { Principal } from '../../../kernel/http/principal.ts';
import type { ApiKeyView } from './api-keys.store.ts';
import { listApiKeys as selectApiKeys } from './api-keys.store.ts';
import type { IdentityContext } from '../identity.context.ts';

export async function listApiKeys(ctx: IdentityContext, principal: Principal, page: { limit: number; cursor?: string }): Promise<{ data: ApiKeyView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  const data = await selectApiKeys(ctx.db, ws, { limit: page.limit, before: page.cursor });
  return { data, nextCursor: data.length === page.limit ? data[data.length - 1].id : null };
}
