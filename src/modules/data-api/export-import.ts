// A workspace's data, out and back in (`atrium tenant export|import`): JSON Lines — a header with
// the migrations that made the schema (operations, in order), then one line per row, table by
// table. Export reads as the workspace's data role, its tables locked in share mode (writers wait:
// one consistent picture; tables with row rules wait for readers too, their FORCE lifted for the
// export's transaction only), by pages of the primary key. Import needs an empty data schema: it
// applies the migrations (the same use-case as the API, audited), then the rows, parents before children, all in one transaction (a refusal
// leaves nothing), with the row rules' FORCE lifted while rows go in (rows keep their owners).
import type { Database, Tx } from '../../kernel/db/database.ts';
import { dataSwitchStatement } from '../../kernel/db/database.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import { dataErrors } from './data.errors.ts';
import type { Operation } from './ddl.ts';
import { applyMigrationIn } from './migrations.ts';
import { readCatalog } from './model.ts';
import type { Catalog } from './model.ts';
import { ident } from './sql.ts';

export const EXPORT_FORMAT = 'atrium-data-export';
const PAGE = 5000;

export type ExportHeader = { format: typeof EXPORT_FORMAT; version: 1; schemaVersion: number; exportedAt: string; migrations: Array<{ version: number; name: string; operations: Operation[]; sql?: string }>; tables: string[] };
/** The last line: what was written (a file cut short has none). */
export type ExportTrailer = { end: true; rows: Record<string, number> };
export type ExportLine = { table: string; row: Record<string, unknown> };

const SESSION = { userId: null, roles: ['owner'], statementTimeoutMs: 60_000 };

/** Parents before children (foreign keys between the workspace's own tables); cycles keep their order. */
function insertOrder(catalog: Catalog): string[] {
  const deps = new Map(catalog.tables.map((t) => [t.name, new Set(t.constraints.filter((c) => c.type === 'f' && c.refTable && c.refTable !== t.name).map((c) => c.refTable!))]));
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: Set<string>) => {
    if (seen.has(name) || path.has(name)) return;
    path.add(name);
    for (const d of deps.get(name) ?? []) visit(d, path);
    seen.add(name);
    out.push(name);
  };
  for (const t of catalog.tables) visit(t.name, new Set());
  return out;
}

export async function exportData(db: Database, workspaceId: string, write: (line: string) => void | Promise<void>): Promise<ExportHeader & ExportTrailer> {
  return db.withWorkspace(workspaceId, async (tx) => {
    // A migration of operations travels as its operations; one written in SQL, as its SQL (checked again on import).
    const migrations = (await tx.query<{ version: number; name: string; operations: Operation[]; statements: string }>(
      'select version, name, operations, statements from data_migrations where workspace_id = $1 order by version', [workspaceId])).rows
      .map(({ statements, ...m }) => (m.operations.length ? m : { ...m, sql: statements }));
    const version = (await tx.query<{ version: number }>('select version from data_schemas where workspace_id = $1', [workspaceId])).rows[0]?.version ?? 0;
    await tx.query(dataSwitchStatement(workspaceId, SESSION));
    const catalog = await readCatalog(tx);
    // Every row, whoever owns it: a table's row rules are lifted for this transaction and put back
    // before it ends (its clients wait meanwhile). The others: one consistent picture, writers wait.
    const forced = (await tx.query<{ relname: string }>('select relname from pg_class where relnamespace = current_schema()::regnamespace and relforcerowsecurity')).rows.map((r) => r.relname);
    for (const name of forced) await tx.query(`alter table ${ident(name)} no force row level security`);
    if (catalog.tables.length) await tx.query(`lock table ${catalog.tables.map((t) => ident(t.name)).join(', ')} in share mode`);
    const order = insertOrder(catalog);
    const header: ExportHeader = { format: EXPORT_FORMAT, version: 1, schemaVersion: version, exportedAt: new Date().toISOString(), migrations, tables: order };
    await write(JSON.stringify(header));
    const counts: Record<string, number> = {};
    for (const name of order) {
      const table = catalog.tables.find((t) => t.name === name)!;
      const key = table.constraints.find((c) => c.type === 'p')?.columns ?? [];
      let n = 0;
      let last: unknown = null;
      for (let offset = 0; ; offset += PAGE) {
        // Keyset on a one-column key; offset otherwise.
        const byKey = key.length === 1;
        const { rows } = await tx.query<{ r: Record<string, unknown>; k: unknown }>(
          byKey
            ? `select to_jsonb(t) as r, t.${ident(key[0])} as k from ${ident(name)} t ${last === null ? '' : `where t.${ident(key[0])} > $1`} order by t.${ident(key[0])} limit ${PAGE}`
            : `select to_jsonb(t) as r from ${ident(name)} t order by ${key.length ? key.map((k) => `t.${ident(k)}`).join(', ') : 'ctid'} limit ${PAGE} offset ${offset}`,
          byKey && last !== null ? [last] : []);
        for (const r of rows) await write(JSON.stringify({ table: name, row: r.r } satisfies ExportLine));
        n += rows.length;
        if (rows.length) last = rows[rows.length - 1].k;
        if (rows.length < PAGE) break;
      }
      counts[name] = n;
    }
    for (const name of forced) await tx.query(`alter table ${ident(name)} force row level security`);
    const trailer: ExportTrailer = { end: true, rows: counts };
    await write(JSON.stringify(trailer));
    return { ...header, ...trailer };
  });
}

export async function importData(
  deps: { db: Database; audit: Pick<AuditModule, 'record'> }, audit: AuditContext, workspaceId: string,
  header: ExportHeader, rows: AsyncIterable<ExportLine> | Iterable<ExportLine>,
): Promise<{ migrations: number; rows: Record<string, number> }> {
  if (header.format !== EXPORT_FORMAT || header.version !== 1) throw dataErrors.create('DATA_MIGRATION_INVALID', 'Not an Atrium data export (format atrium-data-export, version 1)');
  const current = await deps.db.withWorkspace(workspaceId, async (tx) => (await tx.query<{ version: number }>('select version from data_schemas where workspace_id = $1', [workspaceId])).rows[0]?.version ?? 0);
  if (current !== 0) throw dataErrors.create('DATA_MIGRATION_CONFLICT', `The workspace's data schema is at version ${current}: import into a workspace with no tables`, { extra: { version: current } });
  // Before anything is applied: every table the export has rows for must come out of its migrations.
  const made = new Set<string>();
  const sqlWritten = header.migrations.some((m) => m.sql !== undefined);
  for (const m of sqlWritten ? [] : header.migrations) {
    for (const op of m.operations) {
      if (op.op === 'create_table') made.add(op.table);
      if (op.op === 'drop_table') made.delete(op.table);
      if (op.op === 'rename_table' && made.delete(op.table)) made.add(op.to);
    }
  }
  const stray = sqlWritten ? [] : header.tables.filter((t) => !made.has(t)); // SQL: checked in the transaction below
  if (stray.length) throw dataErrors.create('DATA_MIGRATION_INVALID', `The export has rows for ${stray.join(', ')}, which its migrations do not create`);
  // Rows, buffered per table (the export writes them table by table, parents first).
  const byTable = new Map<string, Array<Record<string, unknown>>>();
  for await (const line of rows) {
    const list = byTable.get(line.table) ?? [];
    list.push(line.row);
    byTable.set(line.table, list);
  }
  const tables = header.tables;
  const unlisted = [...byTable.keys()].filter((n) => !tables.includes(n));
  if (unlisted.length) throw dataErrors.create('DATA_MIGRATION_INVALID', `The export has rows for ${unlisted.join(', ')}, which its header does not list`);
  // One transaction: the migrations, then every table's rows; a refusal anywhere leaves nothing.
  return deps.db.withWorkspace(workspaceId, async (tx: Tx) => {
    for (const m of header.migrations) await applyMigrationIn(tx, deps, audit, { workspaceId, userId: null }, m.sql === undefined ? { name: m.name, operations: m.operations } : { name: m.name, sql: m.sql });
    await tx.query(dataSwitchStatement(workspaceId, SESSION));
    const counts: Record<string, number> = {};
    for (const name of tables) {
      const list = byTable.get(name) ?? [];
      if (!list.length) continue;
      const rule = await tx.query<{ on: boolean }>('select relrowsecurity as on from pg_class where relnamespace = current_schema()::regnamespace and relname = $1', [name]);
      if (!rule.rows.length) throw dataErrors.create('DATA_MIGRATION_INVALID', `The export has rows for ${name}, which its migrations do not create`);
      // Rows keep their owners: the row rules' FORCE is lifted while they go in, and put back.
      if (rule.rows[0].on) await tx.query(`alter table ${ident(name)} no force row level security`);
      for (let i = 0; i < list.length; i += 1000) {
        await tx.query(`insert into ${ident(name)} select * from jsonb_populate_recordset(null::${ident(name)}, $1::jsonb)`, [JSON.stringify(list.slice(i, i + 1000))]);
      }
      if (rule.rows[0].on) await tx.query(`alter table ${ident(name)} force row level security`);
      counts[name] = list.length;
    }
    return { migrations: header.migrations.length, rows: counts };
  });
}
