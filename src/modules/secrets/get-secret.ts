// GET /secrets/:name: one secret's metadata (another workspace's name answers 404).
import type { Principal } from '../../kernel/http/principal.ts';
import { toView, workspaceSlug } from './secret-view.ts';
import type { SecretView } from './secret-view.ts';
import type { SecretsContext } from './secrets.context.ts';
import { secretsErrors } from './secrets.errors.ts';
import { findSecret } from './secrets.store.ts';

export async function getSecret(ctx: SecretsContext, principal: Principal, name: string): Promise<SecretView> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const [slug, meta] = await Promise.all([workspaceSlug(ctx, tx, ws), findSecret(tx, ws, name)]);
    if (!meta) throw secretsErrors.create('SECRET_NOT_FOUND', `No secret named ${name} in this workspace`);
    return toView(slug, meta);
  });
}
