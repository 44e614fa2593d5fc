import type { Tx } from '../../kernel/db/database.ts';
import type { SecretsContext } from './secrets.context.ts';
import type { SecretMeta } from './secrets.store.ts';

export type SecretView = SecretMeta & { fullName: string };

/** The bound workspace's slug, for `workspace/<slug>/<name>`. */
export async function workspaceSlug(ctx: SecretsContext, tx: Tx, workspaceId: string): Promise<string> {
  const workspace = await ctx.tenancy.findWorkspace(tx, workspaceId);
  if (!workspace) throw new Error('secrets: the bound workspace is not visible');
  return workspace.slug;
}

export function toView(slug: string, meta: SecretMeta): SecretView {
  return { ...meta, fullName: `workspace/${slug}/${meta.name}` };
}
