// SQL of workspace_settings (tenant table: key → jsonb value).
import type { Tx } from '../../kernel/db/database.ts';

export async function listSettings(tx: Tx, workspaceId: string): Promise<Record<string, unknown>> {
  const { rows } = await tx.query<{ key: string; value: unknown }>(
    'select key, value from workspace_settings where workspace_id = $1 order by key', [workspaceId],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function upsertSettings(tx: Tx, workspaceId: string, values: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(values);
  if (entries.length === 0) return;
  await tx.query(
    `insert into workspace_settings (workspace_id, key, value)
     select $1, e.key, e.value from jsonb_each($2::jsonb) as e
     on conflict (workspace_id, key) do update set value = excluded.value, updated_at = now()`,
    [workspaceId, JSON.stringify(Object.fromEntries(entries))],
  );
}

export async function deleteSettings(tx: Tx, workspaceId: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.query('delete from workspace_settings where workspace_id = $1 and key = any($2::text[])', [workspaceId, keys]);
}
