// The server-side read, for consumers (workflow steps, LLM providers) inside their own tenant
// transaction. Marks the secret used. A value still sealed with an older data key (after a
// rotation) is re-encrypted with the current one here, and a data key left unused is deleted.
import type { Tx } from '../../kernel/db/database.ts';
import { currentDataKey, dataKeyVersion, pruneDataKeys } from './data-keys.ts';
import { openValue, sealValue } from './envelope.ts';
import type { SecretsContext } from './secrets.context.ts';
import { secretsErrors } from './secrets.errors.ts';
import { isValidSecretName } from './secrets.schema.ts';
import { resealSecret, useSecret } from './secrets.store.ts';
import { isUuid } from '../../kernel/ids.ts';

const FULL_NAME = /^workspace\/([a-z0-9-]{1,63})\/([^/]+)$/;

/** `NAME` or `workspace/<slug>/NAME`; a full name of another workspace is not found here. */
async function nameIn(ctx: SecretsContext, tx: Tx, workspaceId: string, reference: string): Promise<string | null> {
  const full = FULL_NAME.exec(reference);
  if (full) {
    const workspace = await ctx.tenancy.findWorkspace(tx, workspaceId);
    if (!workspace || full[1] !== workspace.slug) return null;
    return isValidSecretName(full[2]) ? full[2] : null;
  }
  return isValidSecretName(reference) ? reference : null;
}

export async function resolveSecret(ctx: SecretsContext, tx: Tx, workspaceId: string, by: { name: string } | { id: string }): Promise<string> {
  let lookup: { name: string } | { id: string };
  if ('id' in by) {
    if (!isUuid(by.id)) throw secretsErrors.create('SECRET_NOT_FOUND');
    lookup = { id: by.id.toLowerCase() };
  } else {
    const name = await nameIn(ctx, tx, workspaceId, by.name);
    if (!name) throw secretsErrors.create('SECRET_NOT_FOUND');
    lookup = { name };
  }
  const sealed = await useSecret(tx, workspaceId, lookup);
  if (!sealed) throw secretsErrors.create('SECRET_NOT_FOUND');

  const key = await dataKeyVersion(tx, ctx.keyring, workspaceId, sealed.keyVersion);
  const value = openValue(key, workspaceId, sealed.name, sealed.keyVersion, sealed);
  if (value === null) {
    // Tampered with, or copied from another workspace or name: the additional data does not match.
    ctx.log.error({ workspaceId, secretId: sealed.id, keyVersion: sealed.keyVersion }, 'secret does not decrypt under its workspace, name and key version');
    throw secretsErrors.create('SECRET_UNREADABLE');
  }

  const current = await currentDataKey(tx, ctx.keyring, workspaceId);
  if (sealed.keyVersion < current.version) {
    await resealSecret(tx, workspaceId, sealed.id, current.version, sealValue(current.key, workspaceId, sealed.name, current.version, value));
    await pruneDataKeys(tx, workspaceId, current.version);
  }
  return value;
}
