// DELETE /secrets/:name: the row and its ciphertext are gone; a data key nothing uses any more
// goes with it (the current one stays).
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { findCurrentDataKey } from './data-keys.store.ts';
import { pruneDataKeys } from './data-keys.ts';
import type { SecretsContext } from './secrets.context.ts';
import { secretsErrors } from './secrets.errors.ts';
import { deleteSecret as removeSecret } from './secrets.store.ts';

export async function deleteSecret(ctx: SecretsContext, principal: Principal, audit: AuditContext, name: string): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const deleted = await removeSecret(tx, ws, name);
    if (!deleted) throw secretsErrors.create('SECRET_NOT_FOUND', `No secret named ${name} in this workspace`);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'secret.deleted', targetType: 'secret', targetId: deleted.id,
      diff: { before: { name: deleted.name, description: deleted.description, keyVersion: deleted.keyVersion }, after: null },
    });
    const current = await findCurrentDataKey(tx, ws);
    if (current && deleted.keyVersion < current.version) await pruneDataKeys(tx, ws, current.version);
  });
}
