// A workspace's data schema as the GraphQL layer sees it: introspected from PostgreSQL's catalog
// (as the workspace's data role, its schema first on the search_path), reduced to what shapes the
// API (tables, columns, keys, relations, enums; never the schema's name), and hashed. Workspaces
// whose tables are the same get the same hash and share one executable schema (ADR 0019).
import { createHash } from 'node:crypto';
import type { Tx } from '../../kernel/db/database.ts';

/** What one introspection query returns (pg_catalog, the current schema only). */
export type Catalog = {
  tables: Array<{
    name: string;
    columns: Array<{ name: string; type: string; base: string; category: string; isArray: boolean; notNull: boolean; hasDefault: boolean; isGenerated: boolean }>;
    constraints: Array<{ type: 'p' | 'u' | 'f'; name: string; columns: string[]; refTable: string | null; refColumns: string[] | null; onDelete: string | null }>;
    indexes: Array<{ name: string; columns: string[]; isUnique: boolean }>;
    rowSecurity: boolean;
    policies: Array<{ name: string; command: string; using: string | null; check: string | null }>;
  }>;
  enums: Array<{ name: string; values: string[] }>;
};

const CATALOG_SQL = `
with t as (
  select c.oid, c.relname, c.relrowsecurity from pg_class c
  where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
)
select json_build_object(
  'tables', coalesce((select json_agg(json_build_object(
    'name', t.relname,
    'columns', coalesce((select json_agg(json_build_object(
        'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
        'base', coalesce(et.typname, ty.typname), 'category', coalesce(et.typcategory, ty.typcategory)::text,
        'isArray', ty.typcategory = 'A', 'notNull', a.attnotnull,
        'hasDefault', a.atthasdef or a.attidentity <> '' or a.attgenerated <> '', 'isGenerated', a.attgenerated <> '' or a.attidentity = 'a'
      ) order by a.attnum)
      from pg_attribute a join pg_type ty on ty.oid = a.atttypid left join pg_type et on ty.typcategory = 'A' and et.oid = ty.typelem
      where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped), '[]'),
    'constraints', coalesce((select json_agg(json_build_object(
        'type', co.contype, 'name', co.conname,
        'columns', (select json_agg(a.attname order by k.i) from unnest(co.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = co.conrelid and a.attnum = k.n),
        'refTable', rc.relname,
        'refColumns', (select json_agg(a.attname order by k.i) from unnest(co.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = co.confrelid and a.attnum = k.n),
        'onDelete', case when co.contype = 'f' then co.confdeltype::text end
      ) order by co.conname)
      from pg_constraint co left join pg_class rc on rc.oid = co.confrelid
      where co.conrelid = t.oid and co.contype in ('p', 'u', 'f')), '[]'),
    'indexes', coalesce((select json_agg(json_build_object(
        'name', ic.relname, 'isUnique', ix.indisunique,
        'columns', (select json_agg(coalesce(a.attname, '(expression)') order by k.i) from unnest(ix.indkey::int2[]) with ordinality k(n, i) left join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.n)
      ) order by ic.relname)
      from pg_index ix join pg_class ic on ic.oid = ix.indexrelid
      where ix.indrelid = t.oid and not exists (select 1 from pg_constraint co where co.conindid = ix.indexrelid)), '[]'),
    'rowSecurity', t.relrowsecurity,
    'policies', coalesce((select json_agg(json_build_object(
        'name', p.polname, 'command', case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
        'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid)
      ) order by p.polname) from pg_policy p where p.polrelid = t.oid), '[]')
  ) order by t.relname) from t), '[]'),
  'enums', coalesce((select json_agg(json_build_object(
      'name', ty.typname, 'values', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = ty.oid)
    ) order by ty.typname)
    from pg_type ty where ty.typnamespace = current_schema()::regnamespace and ty.typtype = 'e'), '[]')
) as catalog`;

/** The current schema's catalog (call it in a transaction switched to the workspace's data role). */
export async function readCatalog(tx: Tx): Promise<Catalog> {
  const { rows } = await tx.query<{ catalog: Catalog }>({ name: 'atrium_data_catalog', text: CATALOG_SQL });
  return rows[0].catalog;
}

// ---- the model ---------------------------------------------------------------------------------

/** How a column's values travel: the GraphQL type, how it is read and how a value is written. */
export type ColumnKind = 'Int' | 'Float' | 'BigInt' | 'BigFloat' | 'Boolean' | 'String' | 'UUID' | 'Datetime' | 'Date' | 'Time' | 'JSON' | 'Enum';

export type ModelColumn = {
  name: string; field: string; kind: ColumnKind; enumName: string | null; sqlType: string; isArray: boolean;
  /** How it is read: as is, through to_json (dates: ISO 8601 text), or as text (types GraphQL has no scalar for). */
  read: 'plain' | 'json' | 'text';
  notNull: boolean; hasDefault: boolean; isGenerated: boolean;
};

/** A foreign key from this table (columns, in the key's order) to the target's columns. */
export type ForwardRelation = { field: string; columns: string[]; target: string; targetColumns: string[] };
/** A foreign key of another table (its columns) pointing at this table's columns. */
export type BackwardRelation = { field: string; source: string; sourceColumns: string[]; columns: string[] };

export type ModelTable = {
  name: string;
  typeName: string;
  listField: string;
  byKeyField: string | null;
  columns: ModelColumn[];
  primaryKey: string[];
  forward: ForwardRelation[];
  backward: BackwardRelation[];
};

export type Model = { tables: ModelTable[]; enums: Array<{ name: string; typeName: string; values: string[] }>; hash: string };

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

const KIND_OF_BASE: Record<string, ColumnKind> = {
  int2: 'Int', int4: 'Int', int8: 'BigInt', numeric: 'BigFloat', float4: 'Float', float8: 'Float', bool: 'Boolean',
  text: 'String', varchar: 'String', bpchar: 'String', citext: 'String', name: 'String',
  uuid: 'UUID', timestamptz: 'Datetime', timestamp: 'Datetime', date: 'Date', time: 'Time', timetz: 'Time', json: 'JSON', jsonb: 'JSON',
};

export function camel(name: string): string {
  const parts = name.split(/_+/).filter(Boolean);
  const out = parts.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join('');
  return /^[0-9]/.test(out) ? `_${out}` : out || '_';
}

export function pascal(name: string): string {
  const c = camel(name);
  return c[0] === '_' ? c : c[0].toUpperCase() + c.slice(1);
}

/** A column's value in a table's OrderBy enum: TITLE (of title), CREATED_AT, … (_ASC / _DESC follow). */
export function orderName(column: string): string {
  return column.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

/** English singular, good enough for table names (tasks → task, categories → category). */
export function singular(name: string): string {
  if (/ies$/.test(name) && name.length > 4) return `${name.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(name)) return name;
  if (/(x|ch|sh|ss)es$/.test(name)) return name.slice(0, -2);
  if (/s$/.test(name) && name.length > 1) return name.slice(0, -1);
  return name;
}

const RESERVED_TYPES = new Set(['Query', 'Mutation', 'Subscription', 'PageInfo', 'Cursor', 'ChangeOp', 'Int', 'Float', 'String', 'Boolean', 'ID', 'BigInt', 'BigFloat', 'UUID', 'Datetime', 'Date', 'Time', 'JSON']);

/** The model of a catalog, and its shape hash (everything the generated API depends on). */
export function modelOf(catalog: Catalog): Model {
  const enumTypes = new Map<string, string>();
  const enums: Model['enums'] = [];
  for (const e of catalog.enums) {
    const typeName = pascal(e.name);
    if (!e.values.every((v) => GRAPHQL_NAME.test(v) && !['true', 'false', 'null'].includes(v)) || RESERVED_TYPES.has(typeName) || enumTypes.has(typeName)) continue;
    enumTypes.set(e.name, typeName);
    enums.push({ name: e.name, typeName, values: e.values });
  }
  const taken = new Set<string>([...RESERVED_TYPES, ...enums.map((e) => e.typeName)]);
  const rootFields = new Set<string>();
  const tables: ModelTable[] = [];
  for (const t of catalog.tables) {
    const typeName = pascal(singular(t.name));
    const plural = camel(t.name);
    const listField = plural === camel(singular(t.name)) ? `${plural}List` : plural;
    const pk = t.constraints.find((c) => c.type === 'p')?.columns ?? [];
    const byKeyField = pk.length ? `${camel(singular(t.name))}By${pk.map(pascal).join('And')}` : null;
    // Two tables that would take the same names: the later one is left out (named in the docs).
    const names = [typeName, `${typeName}Connection`, `${typeName}Edge`, `${typeName}Filter`, `${typeName}OrderBy`, `${typeName}Input`, `${typeName}Patch`, `${typeName}Change`];
    const fields = [listField, byKeyField, `create${typeName}`, `create${pascal(t.name)}`, `update${typeName}`, `delete${typeName}`, `upsert${typeName}`].filter((f): f is string => !!f);
    if (names.some((n) => taken.has(n)) || fields.some((f) => rootFields.has(f)) || !GRAPHQL_NAME.test(typeName)) continue;
    for (const n of names) taken.add(n);
    for (const f of fields) rootFields.add(f);
    const columns: ModelColumn[] = [];
    const fieldNames = new Set<string>();
    for (const c of t.columns) {
      const field = camel(c.name);
      if (fieldNames.has(field) || !GRAPHQL_NAME.test(field) || field.startsWith('__')) continue;
      fieldNames.add(field);
      const enumName = c.category === 'E' && enumTypes.has(c.base) ? c.base : null;
      const kind: ColumnKind = enumName ? 'Enum' : (KIND_OF_BASE[c.base] ?? 'String');
      const read = kind === 'Datetime' || kind === 'Date' || kind === 'Time' ? 'json' : KIND_OF_BASE[c.base] || enumName ? 'plain' : 'text';
      columns.push({ name: c.name, field, kind, enumName, sqlType: c.type, isArray: c.isArray, read, notNull: c.notNull, hasDefault: c.hasDefault, isGenerated: c.isGenerated });
    }
    tables.push({ name: t.name, typeName, listField, byKeyField, columns, primaryKey: pk.every((k) => columns.some((c) => c.name === k)) ? pk : [], forward: [], backward: [] });
  }
  // Relations from foreign keys (one column or several), both ways.
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const t of catalog.tables) {
    const source = byName.get(t.name);
    if (!source) continue;
    const fks = t.constraints.filter((c) => c.type === 'f' && c.columns.length > 0 && c.refTable && c.refColumns?.length === c.columns.length);
    for (const fk of fks) {
      const target = byName.get(fk.refTable!);
      const columns = fk.columns;
      const targetColumns = fk.refColumns!;
      if (!target || !columns.every((n) => source.columns.some((c) => c.name === n)) || !targetColumns.every((n) => target.columns.some((c) => c.name === n))) continue;
      const used = new Set([...source.columns.map((c) => c.field), ...source.forward.map((r) => r.field), ...source.backward.map((r) => r.field)]);
      const named = pascal(columns.join('_and_'));
      let field = columns.length === 1 ? camel(columns[0].replace(/_id$/, '')) : camel(singular(target.name));
      if ((columns.length === 1 && field === camel(columns[0])) || used.has(field)) field = `${camel(singular(target.name))}By${named}`;
      if (!used.has(field)) source.forward.push({ field, columns, target: target.name, targetColumns });
      const targetUsed = new Set([...target.columns.map((c) => c.field), ...target.forward.map((r) => r.field), ...target.backward.map((r) => r.field)]);
      let back = camel(t.name);
      if (targetUsed.has(back) || fks.filter((o) => o.refTable === fk.refTable).length > 1) back = `${camel(t.name)}By${named}`;
      if (!targetUsed.has(back)) target.backward.push({ field: back, source: source.name, sourceColumns: columns, columns: targetColumns });
    }
  }
  const shape = { tables: tables.map((t) => ({ ...t, columns: t.columns })), enums };
  const hash = createHash('sha256').update(JSON.stringify(shape)).digest('hex');
  return { tables, enums, hash };
}
