// `atrium keys rotate`: re-wrap every workspace's data keys under the current master key (the
// new one), and give each of those workspaces a new data key version for new writes. Values are
// re-encrypted lazily (next write or resolve); old versions are deleted once nothing uses them.
// Platform path, one transaction per workspace: an interrupted run is finished by running again
// (workspaces already under the new key are skipped).
import type { Tx } from '../../kernel/db/database.ts';
import { generateKey } from '../../kernel/crypto.ts';
import type { AuditContext } from '../audit/index.ts';
import { countDataKeysByMasterKey, countStaleSecrets, insertDataKey, listWorkspacesToRewrap, lockDataKeys, rewrapDataKey } from './data-keys.store.ts';
import { pruneDataKeys } from './data-keys.ts';
import { masterKeyById, unwrapDataKey, wrapDataKey } from './envelope.ts';
import type { SecretsContext } from './secrets.context.ts';
import { secretsErrors } from './secrets.errors.ts';

export type WorkspaceRotation = {
  workspaceId: string;
  slug: string;
  /** Data keys that were under another master key and are now under the current one. */
  rewrapped: number;
  /** The new data key version, which seals every new or re-encrypted value. */
  newVersion: number;
  /** Old versions no value used any more, deleted. */
  deletedVersions: number[];
  /** Values still sealed with an older version (re-encrypted on their next write or resolve). */
  pendingReencryption: number;
};

export type RotationSummary = {
  masterKeyId: string;
  previousMasterKeyId: string | null;
  workspaces: WorkspaceRotation[];
  dataKeysRewrapped: number;
  dataKeysCreated: number;
  dataKeysDeleted: number;
  secretsPendingReencryption: number;
};

async function rotateWorkspace(ctx: SecretsContext, tx: Tx, audit: AuditContext, workspaceId: string): Promise<WorkspaceRotation> {
  // Bind the platform transaction to the workspace, as a tenant transaction would be, for the audit event.
  await tx.query(`select set_config('app.workspace_id', $1, true)`, [workspaceId]);
  const current = ctx.keyring.current;
  const keys = await lockDataKeys(tx, workspaceId);
  let rewrapped = 0;
  for (const wrapped of keys) {
    if (wrapped.masterKeyId === current.id) continue;
    const key = unwrapDataKey(ctx.keyring, wrapped);
    await rewrapDataKey(tx, workspaceId, wrapped.version, current.id, wrapDataKey(current, workspaceId, wrapped.version, key));
    rewrapped++;
  }
  const newVersion = Math.max(0, ...keys.map((k) => k.version)) + 1;
  const sealed = wrapDataKey(current, workspaceId, newVersion, generateKey());
  await insertDataKey(tx, { ...sealed, workspaceId, version: newVersion, masterKeyId: current.id });
  const deletedVersions = await pruneDataKeys(tx, workspaceId, newVersion);
  const pendingReencryption = await countStaleSecrets(tx, workspaceId);
  const workspace = await ctx.tenancy.findWorkspace(tx, workspaceId);
  await ctx.audit.record(tx, audit, {
    workspaceId, action: 'secret_key.rotated', targetType: 'secret_data_key', targetId: null,
    diff: { before: { versions: keys.map((k) => k.version) }, after: { masterKeyId: current.id, currentVersion: newVersion, deletedVersions } },
  });
  return { workspaceId, slug: workspace?.slug ?? workspaceId, rewrapped, newVersion, deletedVersions, pendingReencryption };
}

export async function rotateMasterKey(ctx: SecretsContext, audit: AuditContext, onProgress: (w: WorkspaceRotation) => void = () => {}): Promise<RotationSummary> {
  const { current, previous } = ctx.keyring;
  // Refuse before changing anything when a data key is under a master key we don't hold.
  const inUse = await ctx.db.withPlatform((tx) => countDataKeysByMasterKey(tx));
  const unknown = inUse.filter((k) => !masterKeyById(ctx.keyring, k.masterKeyId));
  if (unknown.length > 0) {
    const list = unknown.map((k) => `${k.masterKeyId} (${k.count} data key${k.count === 1 ? '' : 's'})`).join(', ');
    throw secretsErrors.create('MASTER_KEY_MISSING', `data keys are wrapped by master key ${list}, which is neither the current key (${current.id})${previous ? ` nor the previous one (${previous.id})` : ''}; give the old key with ATRIUM_MASTER_KEY_PREVIOUS, ATRIUM_MASTER_KEY_PREVIOUS_FILE or --previous-key-file`);
  }
  const workspaceIds = await ctx.db.withPlatform((tx) => listWorkspacesToRewrap(tx, current.id));
  const workspaces: WorkspaceRotation[] = [];
  for (const workspaceId of workspaceIds) {
    const done = await ctx.db.withPlatform((tx) => rotateWorkspace(ctx, tx, audit, workspaceId));
    workspaces.push(done);
    onProgress(done);
  }
  return {
    masterKeyId: current.id,
    previousMasterKeyId: previous?.id ?? null,
    workspaces,
    dataKeysRewrapped: workspaces.reduce((n, w) => n + w.rewrapped, 0),
    dataKeysCreated: workspaces.length,
    dataKeysDeleted: workspaces.reduce((n, w) => n + w.deletedVersions.length, 0),
    secretsPendingReencryption: workspaces.reduce((n, w) => n + w.pendingReencryption, 0),
  };
}
