// SQL for secrets. Metadata reads never select the ciphertext; only the use path does.
import type { Tx } from '../../kernel/db/database.ts';
import type { SealedParts } from '../../kernel/crypto.ts';

export type SecretMeta = {
  id: string;
  name: string;
  description: string;
  keyVersion: number;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
};

export type SealedSecret = SealedParts & { id: string; name: string; keyVersion: number };

type MetaRow = {
  id: string; name: string; description: string; key_version: number; created_by: string | null; updated_by: string | null;
  created_at: Date; updated_at: Date; last_used_at: Date | null;
};
type SealedRow = { id: string; name: string; key_version: number; ciphertext: Buffer; iv: Buffer; auth_tag: Buffer };

const META = 'id, name, description, key_version, created_by, updated_by, created_at, updated_at, last_used_at';

function toMeta(r: MetaRow): SecretMeta {
  return {
    id: r.id, name: r.name, description: r.description, keyVersion: r.key_version, createdBy: r.created_by, updatedBy: r.updated_by,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), lastUsedAt: r.last_used_at ? r.last_used_at.toISOString() : null,
  };
}

function toSealed(r: SealedRow): SealedSecret {
  return { id: r.id, name: r.name, keyVersion: r.key_version, ciphertext: r.ciphertext, iv: r.iv, tag: r.auth_tag };
}

/** By name, in name order; `after` is the last name of the previous page. */
export async function listSecrets(tx: Tx, workspaceId: string, options: { limit: number; after?: string }): Promise<SecretMeta[]> {
  const { rows } = await tx.query<MetaRow>(
    `select ${META} from secrets where workspace_id = $1 and ($2::text is null or name > $2) order by name limit $3`,
    [workspaceId, options.after ?? null, options.limit]);
  return rows.map(toMeta);
}

export async function findSecret(tx: Tx, workspaceId: string, name: string, options: { forUpdate?: boolean } = {}): Promise<SecretMeta | null> {
  const { rows } = await tx.query<MetaRow>(
    `select ${META} from secrets where workspace_id = $1 and name = $2${options.forUpdate ? ' for update' : ''}`, [workspaceId, name]);
  return rows[0] ? toMeta(rows[0]) : null;
}

/** `fingerprints`: the value's keyed token hashes (fingerprints.ts) under master key `fingerprintKey`. */
export type NewSecret = SealedParts & {
  workspaceId: string; name: string; description: string; keyVersion: number; userId: string | null; fingerprints: Buffer[]; fingerprintKey: string;
};

/** Insert; null when the name was taken meanwhile (a concurrent create won). */
export async function insertSecret(tx: Tx, s: NewSecret): Promise<SecretMeta | null> {
  const { rows } = await tx.query<MetaRow>(
    `insert into secrets (workspace_id, name, description, ciphertext, iv, auth_tag, key_version, created_by, updated_by, fingerprints, fingerprint_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)
     on conflict (workspace_id, name) do nothing
     returning ${META}`,
    [s.workspaceId, s.name, s.description, s.ciphertext, s.iv, s.tag, s.keyVersion, s.userId, s.fingerprints, s.fingerprintKey]);
  return rows[0] ? toMeta(rows[0]) : null;
}

/** A new value (and description): the write path. */
export async function updateSecretValue(tx: Tx, s: NewSecret): Promise<SecretMeta> {
  const { rows } = await tx.query<MetaRow>(
    `update secrets set description = $3, ciphertext = $4, iv = $5, auth_tag = $6, key_version = $7, updated_by = $8, updated_at = now(),
       fingerprints = $9, fingerprint_key = $10
     where workspace_id = $1 and name = $2 returning ${META}`,
    [s.workspaceId, s.name, s.description, s.ciphertext, s.iv, s.tag, s.keyVersion, s.userId, s.fingerprints, s.fingerprintKey]);
  return toMeta(rows[0]);
}

export async function deleteSecret(tx: Tx, workspaceId: string, name: string): Promise<SecretMeta | null> {
  const { rows } = await tx.query<MetaRow>(`delete from secrets where workspace_id = $1 and name = $2 returning ${META}`, [workspaceId, name]);
  return rows[0] ? toMeta(rows[0]) : null;
}

/** The use path: marks the secret used (locking its row) and returns its sealed value. */
export async function useSecret(tx: Tx, workspaceId: string, by: { name: string } | { id: string }): Promise<SealedSecret | null> {
  const isById = 'id' in by;
  const { rows } = await tx.query<SealedRow>(
    `update secrets set last_used_at = now() where workspace_id = $1 and ${isById ? 'id = $2::uuid' : 'name = $2'}
     returning id, name, key_version, ciphertext, iv, auth_tag`,
    [workspaceId, isById ? by.id : by.name]);
  return rows[0] ? toSealed(rows[0]) : null;
}

/** Every sealed value of the workspace, without marking any used (the build's leak scan). */
export async function sealedSecrets(tx: Tx, workspaceId: string): Promise<SealedSecret[]> {
  const { rows } = await tx.query<SealedRow>('select id, name, key_version, ciphertext, iv, auth_tag from secrets where workspace_id = $1', [workspaceId]);
  return rows.map(toSealed);
}

/** Lazy re-encryption: the same value sealed with a newer data key (updated_at unchanged: the value is the same). */
export async function resealSecret(tx: Tx, workspaceId: string, id: string, keyVersion: number, sealed: SealedParts): Promise<void> {
  await tx.query(
    `update secrets set ciphertext = $3, iv = $4, auth_tag = $5, key_version = $6 where workspace_id = $1 and id = $2`,
    [workspaceId, id, sealed.ciphertext, sealed.iv, sealed.tag, keyVersion]);
}

export type StaleFingerprint = SealedSecret & { workspaceId: string };

/** Platform path: values whose fingerprints are missing or under another master key, a batch at a time. */
export async function staleFingerprints(tx: Tx, keyId: string, limit: number): Promise<StaleFingerprint[]> {
  const { rows } = await tx.query<SealedRow & { workspace_id: string }>(
    `select workspace_id, id, name, key_version, ciphertext, iv, auth_tag from secrets
     where fingerprint_key is distinct from $1 order by workspace_id, id limit $2`, [keyId, limit]);
  return rows.map((r) => ({ ...toSealed(r), workspaceId: r.workspace_id }));
}

/** Platform path: a value's fingerprints under master key `keyId`. */
export async function setFingerprints(tx: Tx, workspaceId: string, id: string, fingerprints: Buffer[], keyId: string): Promise<void> {
  await tx.query('update secrets set fingerprints = $3, fingerprint_key = $4 where workspace_id = $1 and id = $2', [workspaceId, id, fingerprints, keyId]);
}

/** Platform path: which of `candidates` are fingerprints of some workspace's value, and whose. */
export async function fingerprintMatches(tx: Tx, candidates: Buffer[]): Promise<Array<{ fingerprint: Buffer; workspaceId: string }>> {
  if (!candidates.length) return [];
  const { rows } = await tx.query<{ fingerprint: Buffer; workspace_id: string }>(
    `select distinct f as fingerprint, s.workspace_id from secrets s cross join lateral unnest(s.fingerprints) f
     where s.fingerprints && $1::bytea[] and f = any($1::bytea[])`, [candidates]);
  return rows.map((r) => ({ fingerprint: r.fingerprint, workspaceId: r.workspace_id }));
}
