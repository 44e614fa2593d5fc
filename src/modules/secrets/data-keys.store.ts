// SQL for secret_data_keys: a workspace's data keys, each wrapped by a master key.
import type { Tx } from '../../kernel/db/database.ts';
import type { SealedParts } from '../../kernel/crypto.ts';
import type { WrappedDataKey } from './envelope.ts';

type Row = { workspace_id: string; version: number; master_key_id: string; wrapped_key: Buffer; iv: Buffer; auth_tag: Buffer };

const COLUMNS = 'workspace_id, version, master_key_id, wrapped_key, iv, auth_tag';

function toWrapped(r: Row): WrappedDataKey {
  return { workspaceId: r.workspace_id, version: r.version, masterKeyId: r.master_key_id, ciphertext: r.wrapped_key, iv: r.iv, tag: r.auth_tag };
}

/** The newest data key of the workspace (the one new values are sealed with), or null. */
export async function findCurrentDataKey(tx: Tx, workspaceId: string): Promise<WrappedDataKey | null> {
  const { rows } = await tx.query<Row>(
    `select ${COLUMNS} from secret_data_keys where workspace_id = $1 order by version desc limit 1`, [workspaceId]);
  return rows[0] ? toWrapped(rows[0]) : null;
}

export async function findDataKey(tx: Tx, workspaceId: string, version: number): Promise<WrappedDataKey | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from secret_data_keys where workspace_id = $1 and version = $2`, [workspaceId, version]);
  return rows[0] ? toWrapped(rows[0]) : null;
}

/** Every data key of the workspace, locked (rotation). */
export async function lockDataKeys(tx: Tx, workspaceId: string): Promise<WrappedDataKey[]> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from secret_data_keys where workspace_id = $1 order by version for update`, [workspaceId]);
  return rows.map(toWrapped);
}

/** Insert a data key; false when that version exists already (a concurrent first write won). */
export async function insertDataKey(tx: Tx, key: WrappedDataKey): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into secret_data_keys (workspace_id, version, master_key_id, wrapped_key, iv, auth_tag)
     values ($1, $2, $3, $4, $5, $6) on conflict (workspace_id, version) do nothing`,
    [key.workspaceId, key.version, key.masterKeyId, key.ciphertext, key.iv, key.tag]);
  return rowCount === 1;
}

export async function rewrapDataKey(tx: Tx, workspaceId: string, version: number, masterKeyId: string, wrapped: SealedParts): Promise<void> {
  await tx.query(
    `update secret_data_keys set master_key_id = $3, wrapped_key = $4, iv = $5, auth_tag = $6, rewrapped_at = now()
     where workspace_id = $1 and version = $2`,
    [workspaceId, version, masterKeyId, wrapped.ciphertext, wrapped.iv, wrapped.tag]);
}

/** Delete the data keys older than `below` that no value uses any more; returns their versions. */
export async function deleteUnusedDataKeys(tx: Tx, workspaceId: string, below: number): Promise<number[]> {
  const { rows } = await tx.query<{ version: number }>(
    `delete from secret_data_keys d
     where d.workspace_id = $1 and d.version < $2
       and not exists (select 1 from secrets s where s.workspace_id = d.workspace_id and s.key_version = d.version)
     returning d.version`,
    [workspaceId, below]);
  return rows.map((r) => r.version).sort((a, b) => a - b);
}

// Platform path (rotation): across workspaces.

/** How many data keys each master key wraps. */
export async function countDataKeysByMasterKey(tx: Tx): Promise<Array<{ masterKeyId: string; count: number }>> {
  const { rows } = await tx.query<{ master_key_id: string; count: number }>(
    `select master_key_id, count(*)::int as count from secret_data_keys group by master_key_id order by master_key_id`);
  return rows.map((r) => ({ masterKeyId: r.master_key_id, count: r.count }));
}

/** Workspaces with at least one data key not wrapped by `masterKeyId`. */
export async function listWorkspacesToRewrap(tx: Tx, masterKeyId: string): Promise<string[]> {
  const { rows } = await tx.query<{ workspace_id: string }>(
    `select distinct workspace_id from secret_data_keys where master_key_id <> $1 order by workspace_id`, [masterKeyId]);
  return rows.map((r) => r.workspace_id);
}

/** Values still sealed with an older data key than their workspace's newest (lazy re-encryption pending). */
export async function countStaleSecrets(tx: Tx, workspaceId?: string): Promise<number> {
  const { rows } = await tx.query<{ count: number }>(
    `select count(*)::int as count from secrets s
     where ($1::uuid is null or s.workspace_id = $1)
       and s.key_version < (select max(d.version) from secret_data_keys d where d.workspace_id = s.workspace_id)`,
    [workspaceId ?? null]);
  return rows[0].count;
}
