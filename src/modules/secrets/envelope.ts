// Envelope encryption, no SQL: a master key wraps each workspace's data keys; a data key seals
// secret values. The additional data of every ciphertext names what it belongs to, so a wrapped
// key or a value copied onto another workspace, name or version fails to decrypt.
import type { MasterKey } from '../../kernel/config.ts';
import { decryptParts, encryptParts } from '../../kernel/crypto.ts';
import type { SealedParts } from '../../kernel/crypto.ts';
import { secretsErrors } from './secrets.errors.ts';

/** The master keys this process knows: the current one wraps; the previous one only unwraps. */
export type Keyring = { current: MasterKey; previous: MasterKey | undefined };

export type WrappedDataKey = SealedParts & { workspaceId: string; version: number; masterKeyId: string };

export function dataKeyAad(workspaceId: string, version: number): string {
  return JSON.stringify(['atrium:secret-data-key:v1', workspaceId, version]);
}

export function secretAad(workspaceId: string, name: string, keyVersion: number): string {
  return JSON.stringify(['atrium:secret:v1', workspaceId, name, keyVersion]);
}

export function masterKeyById(keyring: Keyring, id: string): MasterKey | undefined {
  if (keyring.current.id === id) return keyring.current;
  if (keyring.previous?.id === id) return keyring.previous;
  return undefined;
}

export function wrapDataKey(master: MasterKey, workspaceId: string, version: number, dataKey: Buffer): SealedParts {
  return encryptParts(master.key, dataKey, dataKeyAad(workspaceId, version));
}

export function unwrapDataKey(keyring: Keyring, wrapped: WrappedDataKey): Buffer {
  const master = masterKeyById(keyring, wrapped.masterKeyId);
  if (!master) {
    throw secretsErrors.create('MASTER_KEY_MISSING', `Data key ${wrapped.version} of this workspace is wrapped by master key ${wrapped.masterKeyId}, which is not configured`);
  }
  const key = decryptParts(master.key, wrapped, dataKeyAad(wrapped.workspaceId, wrapped.version));
  if (!key || key.length !== 32) throw secretsErrors.create('SECRET_UNREADABLE', `Data key ${wrapped.version} does not decrypt under master key ${wrapped.masterKeyId}`);
  return key;
}

export function sealValue(dataKey: Buffer, workspaceId: string, name: string, keyVersion: number, value: string): SealedParts {
  return encryptParts(dataKey, Buffer.from(value, 'utf8'), secretAad(workspaceId, name, keyVersion));
}

/** The value, or null when the ciphertext does not belong to this workspace, name and version. */
export function openValue(dataKey: Buffer, workspaceId: string, name: string, keyVersion: number, sealed: SealedParts): string | null {
  const plain = decryptParts(dataKey, sealed, secretAad(workspaceId, name, keyVersion));
  return plain ? plain.toString('utf8') : null;
}
