// Migrations of a workspace's data schema as operations (what the console's table editor and the
// API send), compiled to DDL here. Nothing a caller writes reaches the SQL text except names that
// passed NAME (quoted all the same), literals that are quoted, and a custom row rule's expressions,
// checked by PostgreSQL's own parser (sql-guard.ts): no other schema, no extension, no role, no
// function can be asked for. The DDL then runs as the workspace's data role, which
// could not do any of those anyway (ADR 0019: two walls).
import type { Static } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { quoteLiteral as quoteSql } from '../../kernel/db/sql-quote.ts';
import { ident } from './sql.ts';
import { checkRuleExpression } from './sql-guard.ts';

export const NAME_PATTERN = '^[a-z_][a-z0-9_]{0,62}$';
/** Names PostgreSQL or GraphQL keep for themselves (checked here: the edge's pattern has no look-ahead, which the fuzz suite cannot generate from). */
const RESERVED_NAME = /^(pg_|__)/;
const Name = (description: string) => Type.String({ minLength: 1, maxLength: 63, pattern: NAME_PATTERN, description });

export const COLUMN_TYPES = ['text', 'varchar', 'integer', 'bigint', 'smallint', 'numeric', 'real', 'double', 'boolean', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'jsonb', 'enum'] as const;
const SQL_TYPES: Record<Exclude<(typeof COLUMN_TYPES)[number], 'enum'>, string> = {
  text: 'text', varchar: 'varchar', integer: 'integer', bigint: 'bigint', smallint: 'smallint', numeric: 'numeric', real: 'real', double: 'double precision',
  boolean: 'boolean', uuid: 'uuid', date: 'date', time: 'time', timestamp: 'timestamp', timestamptz: 'timestamptz', jsonb: 'jsonb',
};

const Literal = Type.Union([Type.String({ maxLength: 10_000 }), Type.Number({ minimum: -1e15, maximum: 1e15 }), Type.Boolean(), Type.Null(), Type.Array(Type.Unknown(), { maxItems: 1000 }), Type.Object({}, { additionalProperties: true })]);

export const ColumnDef = Type.Object({
  name: Name('Column name: lower case, digits and _ (snake_case; GraphQL shows it in camelCase)'),
  type: Type.Unsafe<(typeof COLUMN_TYPES)[number]>({ type: 'string', enum: [...COLUMN_TYPES], description: 'The column type; `enum` needs `enum` (the name of an enum made with create_enum)' }),
  enum: Type.Optional(Name('The enum type, when type is enum')),
  array: Type.Optional(Type.Boolean({ description: 'A list of values of the type' })),
  nullable: Type.Optional(Type.Boolean({ description: 'May be empty (default true; a primary key never is)' })),
  default: Type.Optional(Literal),
  defaultExpression: Type.Optional(Type.Union([Type.Literal('now'), Type.Literal('uuid'), Type.Literal('current_date')], { description: 'A computed default: now(), a random UUID, today' })),
  unique: Type.Optional(Type.Boolean()),
  primaryKey: Type.Optional(Type.Boolean()),
  references: Type.Optional(Type.Object({
    table: Name('The referenced table'),
    column: Type.Optional(Name('The referenced column (default id)')),
    onDelete: Type.Optional(Type.Union([Type.Literal('cascade'), Type.Literal('set null'), Type.Literal('restrict'), Type.Literal('no action')])),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type ColumnDef = Static<typeof ColumnDef>;

export const Operation = Type.Union([
  Type.Object({
    op: Type.Literal('create_table'), table: Name('Table name (plural snake_case: tasks, order_lines)'),
    columns: Type.Array(ColumnDef, { minItems: 1, maxItems: 100 }),
    primaryKey: Type.Optional(Type.Array(Name('A column of the key'), { minItems: 1, maxItems: 8 })),
  }, { additionalProperties: false, description: 'Without a primary key, an `id` column is it (added as a random UUID when absent)' }),
  Type.Object({ op: Type.Literal('drop_table'), table: Name('Table') }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('rename_table'), table: Name('Table'), to: Name('New name') }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('add_column'), table: Name('Table'), column: ColumnDef }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('drop_column'), table: Name('Table'), column: Name('Column') }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('rename_column'), table: Name('Table'), column: Name('Column'), to: Name('New name') }, { additionalProperties: false }),
  Type.Object({
    op: Type.Literal('alter_column'), table: Name('Table'), column: Name('Column'),
    nullable: Type.Optional(Type.Boolean()), default: Type.Optional(Literal), defaultExpression: Type.Optional(Type.Union([Type.Literal('now'), Type.Literal('uuid'), Type.Literal('current_date')])),
    dropDefault: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('create_index'), table: Name('Table'), columns: Type.Array(Name('Column'), { minItems: 1, maxItems: 8 }), unique: Type.Optional(Type.Boolean()), name: Type.Optional(Name('Index name (default <table>_<columns>_idx)')) }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('drop_index'), name: Name('Index') }, { additionalProperties: false }),
  Type.Object({ op: Type.Literal('create_enum'), name: Name('Enum type name'), values: Type.Array(Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), { minItems: 1, maxItems: 200, uniqueItems: true }) }, { additionalProperties: false }),
  Type.Object({
    op: Type.Literal('set_row_rule'), table: Name('Table'),
    rule: Type.Union([Type.Literal('none'), Type.Literal('owner_only'), Type.Literal('members_read_admins_write'), Type.Literal('custom')], {
      description: 'none: every member with data.read/data.write sees and changes every row; owner_only: a row is its owner\'s (ownerColumn, filled with the caller\'s user id by default); members_read_admins_write: all read, owners and admins write; custom: your expressions',
    }),
    ownerColumn: Type.Optional(Name('owner_only: the uuid column holding the owner (default owner_id)')),
    using: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'custom: which rows a caller sees and may change (SQL; current_setting(\'app.user_id\') and current_setting(\'app.roles\') name the caller)' })),
    check: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'custom: which rows a caller may write (default: using)' })),
  }, { additionalProperties: false, description: 'Row rules, compiled to PostgreSQL row-level security policies on the table' }),
  Type.Object({ op: Type.Literal('add_enum_value'), name: Name('Enum type name'), value: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }) }, { additionalProperties: false }),
]);
export type Operation = Static<typeof Operation>;

export class DdlRefusal extends Error {}

const CALLER = "nullif(current_setting('app.user_id', true), '')::uuid";
const IS_ADMIN = "string_to_array(current_setting('app.roles', true), ',') && array['owner', 'admin']";

function rowRuleSql(op: Extract<Operation, { op: 'set_row_rule' }>): string[] {
  const t = ident(op.table);
  const out = [
    `drop policy if exists atrium_rule_owner on ${t}`, `drop policy if exists atrium_rule_custom on ${t}`, `drop policy if exists atrium_rule_read on ${t}`,
    `drop policy if exists atrium_rule_insert on ${t}`, `drop policy if exists atrium_rule_update on ${t}`, `drop policy if exists atrium_rule_delete on ${t}`,
  ];
  if ((op.using || op.check) && op.rule !== 'custom') throw new DdlRefusal('using and check go with rule custom');
  if (op.ownerColumn && op.rule !== 'owner_only') throw new DdlRefusal('ownerColumn goes with rule owner_only');
  switch (op.rule) {
    case 'none':
      out.push(`alter table ${t} no force row level security`, `alter table ${t} disable row level security`);
      return out;
    case 'owner_only': {
      const owner = ident(op.ownerColumn ?? 'owner_id');
      out.push(`alter table ${t} alter column ${owner} set default ${CALLER}`);
      out.push(`create policy atrium_rule_owner on ${t} using (${owner} = ${CALLER}) with check (${owner} = ${CALLER})`);
      break;
    }
    case 'members_read_admins_write':
      out.push(`create policy atrium_rule_read on ${t} for select using (true)`);
      out.push(`create policy atrium_rule_insert on ${t} for insert with check (${IS_ADMIN})`);
      out.push(`create policy atrium_rule_update on ${t} for update using (${IS_ADMIN}) with check (${IS_ADMIN})`);
      out.push(`create policy atrium_rule_delete on ${t} for delete using (${IS_ADMIN})`);
      break;
    case 'custom': {
      if (!op.using) throw new DdlRefusal('A custom rule needs `using`');
      const using = checkRuleExpression(op.using, 'using');
      out.push(`create policy atrium_rule_custom on ${t} using ${using} with check ${op.check ? checkRuleExpression(op.check, 'check') : using}`);
      break;
    }
  }
  // The data role owns its tables: FORCE makes the rules hold for it too (every request runs as it).
  out.push(`alter table ${t} enable row level security`, `alter table ${t} force row level security`);
  return out;
}

function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new DdlRefusal('A default may not hold a NUL character');
  return quoteSql(value);
}

function sqlType(c: Pick<ColumnDef, 'type' | 'enum' | 'array' | 'name'>): string {
  let base: string;
  if (c.type === 'enum') {
    if (!c.enum) throw new DdlRefusal(`Column ${c.name}: type enum needs \`enum\` (the enum's name)`);
    base = ident(c.enum);
  } else {
    if (c.enum) throw new DdlRefusal(`Column ${c.name}: \`enum\` only goes with type enum`);
    base = SQL_TYPES[c.type];
  }
  return c.array ? `${base}[]` : base;
}

function defaultClause(c: { name: string; default?: unknown; defaultExpression?: string }, type: string): string | null {
  if (c.defaultExpression !== undefined && c.default !== undefined) throw new DdlRefusal(`Column ${c.name}: give default or defaultExpression, not both`);
  if (c.defaultExpression) return c.defaultExpression === 'now' ? 'now()' : c.defaultExpression === 'uuid' ? 'gen_random_uuid()' : 'current_date';
  if (c.default === undefined) return null;
  if (c.default === null) return 'null';
  if (type === 'jsonb') return `${quoteLiteral(JSON.stringify(c.default))}::jsonb`;
  if (Array.isArray(c.default)) {
    if (!type.endsWith('[]')) throw new DdlRefusal(`Column ${c.name}: a list default needs an array column`);
    const items = c.default.map((v) => {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new DdlRefusal(`Column ${c.name}: list defaults hold text, numbers or booleans`);
      return `"${String(v).replace(/["\\]/g, (m) => `\\${m}`)}"`;
    });
    return `${quoteLiteral(`{${items.join(',')}}`)}::${type}`;
  }
  if (typeof c.default === 'object') throw new DdlRefusal(`Column ${c.name}: an object default needs a jsonb column`);
  return `${quoteLiteral(String(c.default))}::${type}`;
}

function columnSql(c: ColumnDef, isKey: boolean): string {
  const type = sqlType(c);
  const parts = [ident(c.name), type];
  if (isKey || c.nullable === false) parts.push('not null');
  const d = defaultClause(c, type);
  if (d) parts.push(`default ${d}`);
  if (c.unique && !isKey) parts.push('unique');
  if (c.references) {
    parts.push(`references ${ident(c.references.table)} (${ident(c.references.column ?? 'id')})`);
    if (c.references.onDelete) parts.push(`on delete ${c.references.onDelete}`);
  }
  return parts.join(' ');
}

function indexName(table: string, columns: string[], suffix: string): string {
  const name = `${table}_${columns.join('_')}_${suffix}`;
  return name.length <= 63 ? name : `${name.slice(0, 54)}_${suffix}`;
}

/** The change signal of a table (subscriptions): ids only, per statement, at commit (migration 0034). */
export function changeTriggers(table: string): string[] {
  const t = ident(table);
  return [
    `create trigger atrium_changes_insert after insert on ${t} referencing new table as new_rows for each statement execute function public.atrium_data_notify()`,
    `create trigger atrium_changes_update after update on ${t} referencing new table as new_rows for each statement execute function public.atrium_data_notify()`,
    `create trigger atrium_changes_delete after delete on ${t} referencing old table as old_rows for each statement execute function public.atrium_data_notify()`,
  ];
}

/** The DDL statements of a migration, in order. Throws DdlRefusal for what the operations cannot mean. */
function namesOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) namesOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (['table', 'name', 'column', 'to', 'enum', 'ownerColumn'].includes(k) && typeof v === 'string') out.push(v);
      else if (k !== 'default' && k !== 'values' && k !== 'value' && k !== 'using' && k !== 'check') namesOf(v, out);
    }
  }
  return out;
}

export function compileOperations(operations: readonly Operation[]): string[] {
  const reserved = namesOf(operations).find((n) => RESERVED_NAME.test(n));
  if (reserved) throw new DdlRefusal(`${reserved}: names starting with pg_ or __ are PostgreSQL's and GraphQL's own`);
  const out: string[] = [];
  for (const op of operations) {
    switch (op.op) {
      case 'create_table': {
        const names = new Set<string>();
        for (const c of op.columns) {
          if (names.has(c.name)) throw new DdlRefusal(`Table ${op.table}: column ${c.name} is given twice`);
          names.add(c.name);
        }
        const marked = op.columns.filter((c) => c.primaryKey).map((c) => c.name);
        if (op.primaryKey && marked.length) throw new DdlRefusal(`Table ${op.table}: give primaryKey or mark columns primaryKey, not both`);
        let key: string[] | null = op.primaryKey ?? (marked.length ? marked : names.has('id') ? ['id'] : null);
        const columns: ColumnDef[] = [...op.columns];
        if (!key) {
          columns.unshift({ name: 'id', type: 'uuid', defaultExpression: 'uuid' });
          key = ['id'];
        }
        for (const k of key) if (!columns.some((c) => c.name === k)) throw new DdlRefusal(`Table ${op.table}: primary key column ${k} is not one of its columns`);
        const keyColumns = key;
        const body = columns.map((c) => columnSql(c, keyColumns.includes(c.name)));
        body.push(`primary key (${key.map(ident).join(', ')})`);
        out.push(`create table ${ident(op.table)} (\n  ${body.join(',\n  ')}\n)`);
        out.push(...changeTriggers(op.table));
        for (const c of columns) if (c.references && !keyColumns.includes(c.name)) out.push(`create index ${ident(indexName(op.table, [c.name], 'idx'))} on ${ident(op.table)} (${ident(c.name)})`);
        break;
      }
      case 'drop_table': out.push(`drop table ${ident(op.table)}`); break;
      case 'rename_table': out.push(`alter table ${ident(op.table)} rename to ${ident(op.to)}`); break;
      case 'add_column':
        if (op.column.primaryKey) throw new DdlRefusal(`Column ${op.column.name}: a primary key is set when the table is created`);
        out.push(`alter table ${ident(op.table)} add column ${columnSql(op.column, false)}`);
        if (op.column.references) out.push(`create index ${ident(indexName(op.table, [op.column.name], 'idx'))} on ${ident(op.table)} (${ident(op.column.name)})`);
        break;
      case 'drop_column': out.push(`alter table ${ident(op.table)} drop column ${ident(op.column)}`); break;
      case 'rename_column': out.push(`alter table ${ident(op.table)} rename column ${ident(op.column)} to ${ident(op.to)}`); break;
      case 'alter_column': {
        const changes: string[] = [];
        if (op.nullable !== undefined) changes.push(`alter column ${ident(op.column)} ${op.nullable ? 'drop' : 'set'} not null`);
        if (op.dropDefault) changes.push(`alter column ${ident(op.column)} drop default`);
        else if (op.default !== undefined || op.defaultExpression !== undefined) {
          // The column's own type, read from the catalog by PostgreSQL: the literal is cast at use.
          const d = defaultClause({ name: op.column, default: op.default, defaultExpression: op.defaultExpression }, 'text');
          changes.push(`alter column ${ident(op.column)} set default ${d!.replace(/::text$/, '')}`);
        }
        if (!changes.length) throw new DdlRefusal(`Column ${op.column}: alter_column changes nothing (nullable, default, defaultExpression or dropDefault)`);
        out.push(`alter table ${ident(op.table)} ${changes.join(', ')}`);
        break;
      }
      case 'create_index':
        out.push(`create ${op.unique ? 'unique ' : ''}index ${ident(op.name ?? indexName(op.table, op.columns, op.unique ? 'key' : 'idx'))} on ${ident(op.table)} (${op.columns.map(ident).join(', ')})`);
        break;
      case 'drop_index': out.push(`drop index ${ident(op.name)}`); break;
      case 'create_enum': out.push(`create type ${ident(op.name)} as enum (${op.values.map(quoteLiteral).join(', ')})`); break;
      case 'set_row_rule': out.push(...rowRuleSql(op)); break;
      case 'add_enum_value': out.push(`alter type ${ident(op.name)} add value if not exists ${quoteLiteral(op.value)}`); break;
    }
  }
  return out;
}
