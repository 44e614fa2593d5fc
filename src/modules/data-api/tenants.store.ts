// Every live workspace with its data schema's version and table count (platform path): what
// `atrium tenant list` shows. No imports beyond types: the CLI reads it without loading the platform.
import type { Tx } from '../../kernel/db/database.ts';

export type TenantRow = { id: string; slug: string; name: string; status: string; version: number | null; tables: number; created_at: Date };

export async function selectTenants(tx: Tx): Promise<TenantRow[]> {
  const { rows } = await tx.query<TenantRow>(
    `select w.id, w.slug, w.name, w.status, d.version,
            (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = d.schema_name and c.relkind in ('r', 'p')) as tables,
            w.created_at
       from workspace_directory w left join data_schemas d on d.workspace_id = w.id
      where w.status <> 'deleted' order by w.created_at`);
  return rows;
}
