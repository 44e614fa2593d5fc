// PUT /secrets/:name: create the secret or give it a new value, sealed with the workspace's
// current data key (which re-encrypts a value left under an older key). One transaction with its
// audit event; the event says the value was set, never what it is.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import { currentDataKey, pruneDataKeys } from './data-keys.ts';
import { sealValue } from './envelope.ts';
import { fingerprinter, valueFingerprints } from './fingerprints.ts';
import { toView, workspaceSlug } from './secret-view.ts';
import type { SecretView } from './secret-view.ts';
import type { SecretsContext } from './secrets.context.ts';
import { findSecret, insertSecret, updateSecretValue } from './secrets.store.ts';
import type { SecretMeta } from './secrets.store.ts';

export type PutSecretInput = { value: string; description?: string };

export async function putSecret(ctx: SecretsContext, principal: Principal, audit: AuditContext, name: string, input: PutSecretInput): Promise<{ secret: SecretView; isCreated: boolean }> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const dataKey = await currentDataKey(tx, ctx.keyring, ws);
    const sealed = sealValue(dataKey.key, ws, name, dataKey.version, input.value);
    const fp = fingerprinter(ctx.keyring.current);
    const row = { ...sealed, workspaceId: ws, name, keyVersion: dataKey.version, userId: principal.userId, fingerprints: valueFingerprints(fp, input.value), fingerprintKey: fp.keyId };

    let before = await findSecret(tx, ws, name, { forUpdate: true });
    let created: SecretMeta | null = null;
    if (!before) {
      created = await insertSecret(tx, { ...row, description: input.description ?? '' });
      // Lost a race with a concurrent create of the same name: update that one instead.
      if (!created) before = await findSecret(tx, ws, name, { forUpdate: true });
    }
    let secret: SecretMeta;
    if (created) {
      secret = created;
      await ctx.audit.record(tx, audit, {
        workspaceId: ws, action: 'secret.created', targetType: 'secret', targetId: secret.id,
        diff: { before: null, after: { name, description: secret.description, keyVersion: secret.keyVersion } },
      });
    } else {
      const previous = before!;
      secret = await updateSecretValue(tx, { ...row, description: input.description ?? previous.description });
      await ctx.audit.record(tx, audit, {
        workspaceId: ws, action: 'secret.updated', targetType: 'secret', targetId: secret.id,
        diff: {
          before: { description: previous.description, keyVersion: previous.keyVersion },
          after: { description: secret.description, keyVersion: secret.keyVersion, valueReplaced: true },
        },
      });
      if (previous.keyVersion < dataKey.version) await pruneDataKeys(tx, ws, dataKey.version);
    }
    return { secret: toView(await workspaceSlug(ctx, tx, ws), secret), isCreated: created !== null };
  });
}
