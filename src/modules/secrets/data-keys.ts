// A workspace's data keys: the current one (created on the first write) and older versions kept
// until no value uses them.
import type { Tx } from '../../kernel/db/database.ts';
import { generateKey } from '../../kernel/crypto.ts';
import { deleteUnusedDataKeys, findCurrentDataKey, findDataKey, insertDataKey } from './data-keys.store.ts';
import { unwrapDataKey, wrapDataKey } from './envelope.ts';
import type { Keyring } from './envelope.ts';
import { secretsErrors } from './secrets.errors.ts';

export type DataKey = { version: number; key: Buffer };

/** The key new values are sealed with; the workspace's first one is created here. */
export async function currentDataKey(tx: Tx, keyring: Keyring, workspaceId: string): Promise<DataKey> {
  let wrapped = await findCurrentDataKey(tx, workspaceId);
  if (!wrapped) {
    const key = generateKey();
    const sealed = wrapDataKey(keyring.current, workspaceId, 1, key);
    const isInserted = await insertDataKey(tx, { ...sealed, workspaceId, version: 1, masterKeyId: keyring.current.id });
    if (isInserted) return { version: 1, key };
    wrapped = await findCurrentDataKey(tx, workspaceId);
    if (!wrapped) throw new Error('secrets: the first data key vanished');
  }
  return { version: wrapped.version, key: unwrapDataKey(keyring, wrapped) };
}

export async function dataKeyVersion(tx: Tx, keyring: Keyring, workspaceId: string, version: number): Promise<Buffer> {
  const wrapped = await findDataKey(tx, workspaceId, version);
  if (!wrapped) throw secretsErrors.create('SECRET_UNREADABLE', `Data key ${version} of this workspace does not exist`);
  return unwrapDataKey(keyring, wrapped);
}

/** Delete the versions older than the current one that no value uses any more. */
export function pruneDataKeys(tx: Tx, workspaceId: string, currentVersion: number): Promise<number[]> {
  return deleteUnusedDataKeys(tx, workspaceId, currentVersion);
}
