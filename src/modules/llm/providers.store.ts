// SQL of provider connections: the workspace's (llm_providers, key by vault name) and the
// operator's (llm_platform_providers, key sealed), plus aliases.
import type { Tx } from '../../kernel/db/database.ts';
import type { ProviderKind } from './providers/provider.types.ts';

export type ProviderRow = {
  id: string; name: string; kind: ProviderKind; base_url: string; secret_name: string | null; timeout_ms: number; is_enabled: boolean;
  created_at: Date; updated_at: Date; owner: 'workspace' | 'platform';
};
export type PlatformProviderRow = Omit<ProviderRow, 'secret_name' | 'owner'> & { key_sealed: string | null; owner: 'platform' };

const WS_COLUMNS = `id, name, kind, base_url, secret_name, timeout_ms, is_enabled, created_at, updated_at, 'workspace' as owner`;
const PLATFORM_COLUMNS = `id, name, kind, base_url, key_sealed, timeout_ms, is_enabled, created_at, updated_at, 'platform' as owner`;

export async function selectProviders(tx: Tx, workspaceId: string): Promise<ProviderRow[]> {
  const { rows } = await tx.query<ProviderRow>(`select ${WS_COLUMNS} from llm_providers where workspace_id = $1 order by name`, [workspaceId]);
  return rows;
}

export async function selectProvider(tx: Tx, workspaceId: string, id: string): Promise<ProviderRow | null> {
  const { rows } = await tx.query<ProviderRow>(`select ${WS_COLUMNS} from llm_providers where workspace_id = $1 and id = $2`, [workspaceId, id]);
  return rows[0] ?? null;
}

export type ProviderWrite = { name: string; kind: ProviderKind; baseUrl: string; secretName: string | null; timeoutMs: number; isEnabled: boolean };

export async function insertProvider(tx: Tx, workspaceId: string, p: ProviderWrite, createdBy: string | null): Promise<ProviderRow | null> {
  const { rows } = await tx.query<ProviderRow>(
    `insert into llm_providers (workspace_id, name, kind, base_url, secret_name, timeout_ms, is_enabled, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (workspace_id, name) do nothing returning ${WS_COLUMNS}`,
    [workspaceId, p.name, p.kind, p.baseUrl, p.secretName, p.timeoutMs, p.isEnabled, createdBy]);
  return rows[0] ?? null;
}

export async function updateProvider(tx: Tx, workspaceId: string, id: string, p: ProviderWrite): Promise<ProviderRow | null> {
  const { rows } = await tx.query<ProviderRow>(
    `update llm_providers set name = $3, kind = $4, base_url = $5, secret_name = $6, timeout_ms = $7, is_enabled = $8
      where workspace_id = $1 and id = $2 returning ${WS_COLUMNS}`,
    [workspaceId, id, p.name, p.kind, p.baseUrl, p.secretName, p.timeoutMs, p.isEnabled]);
  return rows[0] ?? null;
}

export async function deleteProvider(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from llm_providers where workspace_id = $1 and id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

export async function isProviderNameTaken(tx: Tx, workspaceId: string, name: string, exceptId: string | null): Promise<boolean> {
  const { rows } = await tx.query('select 1 from llm_providers where workspace_id = $1 and name = $2 and id is distinct from $3', [workspaceId, name, exceptId]);
  return rows.length > 0;
}

export async function selectPlatformProviders(tx: Tx): Promise<PlatformProviderRow[]> {
  const { rows } = await tx.query<PlatformProviderRow>(`select ${PLATFORM_COLUMNS} from llm_platform_providers order by name`);
  return rows;
}

export async function selectPlatformProvider(tx: Tx, id: string): Promise<PlatformProviderRow | null> {
  const { rows } = await tx.query<PlatformProviderRow>(`select ${PLATFORM_COLUMNS} from llm_platform_providers where id = $1`, [id]);
  return rows[0] ?? null;
}

export type PlatformProviderWrite = Omit<ProviderWrite, 'secretName'> & { keySealed: string | null };

export async function insertPlatformProvider(tx: Tx, id: string, p: PlatformProviderWrite, createdBy: string | null): Promise<PlatformProviderRow | null> {
  const { rows } = await tx.query<PlatformProviderRow>(
    `insert into llm_platform_providers (id, name, kind, base_url, key_sealed, timeout_ms, is_enabled, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (name) do nothing returning ${PLATFORM_COLUMNS}`,
    [id, p.name, p.kind, p.baseUrl, p.keySealed, p.timeoutMs, p.isEnabled, createdBy]);
  return rows[0] ?? null;
}

export async function updatePlatformProvider(tx: Tx, id: string, p: PlatformProviderWrite): Promise<PlatformProviderRow | null> {
  const { rows } = await tx.query<PlatformProviderRow>(
    `update llm_platform_providers set name = $2, kind = $3, base_url = $4, key_sealed = $5, timeout_ms = $6, is_enabled = $7 where id = $1 returning ${PLATFORM_COLUMNS}`,
    [id, p.name, p.kind, p.baseUrl, p.keySealed, p.timeoutMs, p.isEnabled]);
  return rows[0] ?? null;
}

export async function deletePlatformProvider(tx: Tx, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from llm_platform_providers where id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

export type AliasTarget = { providerId: string; model: string };
export type AliasRow = { name: string; targets: AliasTarget[]; timeout_ms: number | null; updated_at: Date };

export async function selectAliases(tx: Tx, workspaceId: string): Promise<AliasRow[]> {
  const { rows } = await tx.query<AliasRow>('select name, targets, timeout_ms, updated_at from llm_aliases where workspace_id = $1 order by name', [workspaceId]);
  return rows;
}

export async function selectAlias(tx: Tx, workspaceId: string, name: string): Promise<AliasRow | null> {
  const { rows } = await tx.query<AliasRow>('select name, targets, timeout_ms, updated_at from llm_aliases where workspace_id = $1 and name = $2', [workspaceId, name]);
  return rows[0] ?? null;
}

export async function upsertAlias(tx: Tx, workspaceId: string, a: { name: string; targets: AliasTarget[]; timeoutMs: number | null }): Promise<{ alias: AliasRow; isCreated: boolean }> {
  const { rows } = await tx.query<AliasRow & { is_created: boolean }>(
    `insert into llm_aliases (workspace_id, name, targets, timeout_ms) values ($1, $2, $3, $4)
     on conflict (workspace_id, name) do update set targets = excluded.targets, timeout_ms = excluded.timeout_ms
     returning name, targets, timeout_ms, updated_at, (xmax = 0) as is_created`,
    [workspaceId, a.name, JSON.stringify(a.targets), a.timeoutMs]);
  const { is_created: isCreated, ...alias } = rows[0];
  return { alias, isCreated };
}

export async function deleteAlias(tx: Tx, workspaceId: string, name: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from llm_aliases where workspace_id = $1 and name = $2', [workspaceId, name]);
  return (rowCount ?? 0) > 0;
}

/** Aliases that point at a provider (a provider in use is not deleted silently). */
export async function aliasesUsing(tx: Tx, workspaceId: string, providerId: string): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>(
    `select name from llm_aliases where workspace_id = $1 and targets @> jsonb_build_array(jsonb_build_object('providerId', $2::text)) order by name`, [workspaceId, providerId]);
  return rows.map((r) => r.name);
}
