// SQL of mcp_servers (the mcp module's only table), in the caller's workspace transaction.
import type { Tx } from '../../kernel/db/database.ts';

export type KeptTool = { name: string; originalName: string; description: string; inputSchema: Record<string, unknown>; readOnly: boolean; idempotent: boolean };

export type ServerRow = {
  id: string; workspace_id: string; name: string; url: string; secret_name: string | null; auth_header: string; timeout_ms: number; is_enabled: boolean;
  tools: KeptTool[]; status: 'pending' | 'connected' | 'failed'; last_error: string | null; checked_at: Date | null; created_at: Date; updated_at: Date;
};

export type ServerFields = { name: string; url: string; secretName: string | null; authHeader: string; timeoutMs: number; isEnabled: boolean };

const COLUMNS = 'id, workspace_id, name, url, secret_name, auth_header, timeout_ms, is_enabled, tools, status, last_error, checked_at, created_at, updated_at';

export async function selectServers(tx: Tx, workspaceId: string, options: { enabledOnly?: boolean } = {}): Promise<ServerRow[]> {
  const { rows } = await tx.query<ServerRow>(
    `select ${COLUMNS} from mcp_servers where workspace_id = $1 ${options.enabledOnly ? 'and is_enabled' : ''} order by name`, [workspaceId]);
  return rows;
}

export async function selectServer(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ServerRow | null> {
  const { rows } = await tx.query<ServerRow>(`select ${COLUMNS} from mcp_servers where workspace_id = $1 and id = $2${options.forUpdate ? ' for update' : ''}`, [workspaceId, id]);
  return rows[0] ?? null;
}

/** The new row, or null when the name is taken. */
export async function insertServer(tx: Tx, workspaceId: string, f: ServerFields, createdBy: string | null): Promise<ServerRow | null> {
  const { rows } = await tx.query<ServerRow>(
    `insert into mcp_servers (workspace_id, name, url, secret_name, auth_header, timeout_ms, is_enabled, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (workspace_id, name) do nothing returning ${COLUMNS}`,
    [workspaceId, f.name, f.url, f.secretName, f.authHeader, f.timeoutMs, f.isEnabled, createdBy]);
  return rows[0] ?? null;
}

/** Null when the name is taken by another server. */
export async function updateServer(tx: Tx, workspaceId: string, id: string, f: ServerFields): Promise<ServerRow | null> {
  const { rows } = await tx.query<ServerRow>(
    `update mcp_servers set name = $3, url = $4, secret_name = $5, auth_header = $6, timeout_ms = $7, is_enabled = $8, updated_at = now()
     where workspace_id = $1 and id = $2 and not exists (select 1 from mcp_servers o where o.workspace_id = $1 and o.name = $3 and o.id <> $2)
     returning ${COLUMNS}`,
    [workspaceId, id, f.name, f.url, f.secretName, f.authHeader, f.timeoutMs, f.isEnabled]);
  return rows[0] ?? null;
}

/** What the last refresh found: its tools (kept as they were when it failed), status and error. */
export async function recordRefresh(tx: Tx, workspaceId: string, id: string, r: { tools: KeptTool[] | null; error: string | null }): Promise<ServerRow | null> {
  const { rows } = await tx.query<ServerRow>(
    `update mcp_servers set tools = coalesce($3::jsonb, tools), status = case when $4::text is null then 'connected' else 'failed' end,
       last_error = $4, checked_at = now(), updated_at = now()
     where workspace_id = $1 and id = $2 returning ${COLUMNS}`,
    [workspaceId, id, r.tools === null ? null : JSON.stringify(r.tools), r.error]);
  return rows[0] ?? null;
}

export async function deleteServer(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from mcp_servers where workspace_id = $1 and id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}
