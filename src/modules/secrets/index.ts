// The secrets module's door: the vault's API routes, the server-side read for consumers, and
// master key rotation.
import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { SecretsContext } from './secrets.context.ts';
import { resolveSecret } from './resolve-secret.ts';
import { dataKeyVersion } from './data-keys.ts';
import { openValue } from './envelope.ts';
import { sealedSecrets } from './secrets.store.ts';
import { rotateMasterKey } from './rotate-master-key.ts';
import { refreshFingerprints, vaultMatches } from './leak-scan.ts';
import type { WorkspaceRotation } from './rotate-master-key.ts';
import { secretsRoutes } from './secrets.routes.ts';

export type { VaultMatch } from './leak-scan.ts';
export type { RotationSummary, WorkspaceRotation } from './rotate-master-key.ts';
export type { SecretView } from './secret-view.ts';
export { secretsErrors } from './secrets.errors.ts';
export { SecretSchema, SecretName, isValidSecretName } from './secrets.schema.ts';

export function createSecretsModule(deps: KernelDeps, modules: { audit: AuditModule; tenancy: TenancyModule }) {
  const { config, db, log } = deps;
  const { masterKey, previousMasterKey } = config;
  if (masterKey.source === 'generated') {
    log.warn({ file: masterKey.file, masterKeyId: masterKey.id }, 'generated a new master key for the secrets vault: back this file up (without it, secrets are lost); in production set ATRIUM_MASTER_KEY or ATRIUM_MASTER_KEY_FILE');
  }
  const ctx: SecretsContext = { db, log, keyring: { current: masterKey, previous: previousMasterKey }, audit: modules.audit, tenancy: modules.tenancy };

  return {
    routes: secretsRoutes(ctx),
    /**
     * A secret's value, for server-side consumers, in their transaction bound to `workspaceId`.
     * `name` is `NAME` or `workspace/<slug>/NAME`. Throws SECRET_NOT_FOUND for a name of another
     * workspace. Marks the secret used; re-encrypts it if a rotation left it under an old key.
     */
    resolve(tx: Tx, workspaceId: string, name: string): Promise<string> {
      return resolveSecret(ctx, tx, workspaceId, { name });
    },
    /** As resolve, by the secret's id. */
    resolveById(tx: Tx, workspaceId: string, id: string): Promise<string> {
      return resolveSecret(ctx, tx, workspaceId, { id });
    },
    /**
     * Every secret value of the workspace, in memory only, for a leak scan (a workflow build must
     * not hold one): not marked used, never returned by any route. Values that do not open are left out.
     */
    async valuesForLeakScan(tx: Tx, workspaceId: string): Promise<string[]> {
      const out: string[] = [];
      for (const sealed of await sealedSecrets(tx, workspaceId)) {
        const value = openValue(await dataKeyVersion(tx, ctx.keyring, workspaceId, sealed.keyVersion), workspaceId, sealed.name, sealed.keyVersion, sealed);
        if (value !== null) out.push(value);
      }
      return out;
    },
    /**
     * The files of `files` holding a token of a value kept in any workspace's vault (platform path,
     * through keyed fingerprints: nothing decrypted per call). `isOwnWorkspace` is for the
     * operator's log; a workspace is never told whose value it matched.
     */
    vaultMatches(workspaceId: string, files: Record<string, string>) {
      return vaultMatches(ctx, workspaceId, files);
    },
    /** Fingerprint the values that have none under the current master key (after a rotation, or written before the index). */
    refreshFingerprints() {
      return refreshFingerprints(ctx);
    },
    /** Re-wrap every workspace's data keys under the current master key (platform path). */
    rotateMasterKey(context: AuditContext, onProgress?: (w: WorkspaceRotation) => void) {
      return rotateMasterKey(ctx, context, onProgress);
    },
  };
}

export type SecretsModule = ReturnType<typeof createSecretsModule>;
