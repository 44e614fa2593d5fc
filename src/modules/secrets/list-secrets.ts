// GET /secrets: metadata of the workspace's secrets, by name. Never a value.
import type { Principal } from '../../kernel/http/principal.ts';
import { toView, workspaceSlug } from './secret-view.ts';
import type { SecretView } from './secret-view.ts';
import type { SecretsContext } from './secrets.context.ts';
import { listSecrets as selectSecrets } from './secrets.store.ts';

export async function listSecrets(ctx: SecretsContext, principal: Principal, page: { limit: number; cursor?: string }): Promise<{ data: SecretView[]; nextCursor: string | null }> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const [slug, rows] = await Promise.all([workspaceSlug(ctx, tx, ws), selectSecrets(tx, ws, { limit: page.limit, after: page.cursor })]);
    return { data: rows.map((r) => toView(slug, r)), nextCursor: rows.length === page.limit ? rows[rows.length - 1].name : null };
  });
}
