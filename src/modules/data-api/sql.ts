// SQL from GraphQL arguments: identifiers quoted and unqualified (the workspace's schema is the
// search_path), every value a parameter cast to the column's type. Nothing from a request is ever
// written into the SQL text but the names of the model (which come from the catalog).
import { GraphQLError } from 'graphql';
import { orderName } from './model.ts';
import type { ModelColumn, ModelTable } from './model.ts';

import { quoteIdent as ident } from '../../kernel/db/sql-quote.ts';

export { ident };

/** Parameters of one statement: push a value, get its placeholder. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** A value as the driver should send it for a column (JSON as text; the rest as GraphQL coerced it). */
export function toSql(column: ModelColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.kind === 'JSON') return column.isArray && Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : JSON.stringify(value);
  return value;
}

export function readExpression(column: ModelColumn, alias = 't'): string {
  const c = `${alias}.${ident(column.name)}`;
  if (column.read === 'json') return column.isArray ? `to_json(${c}) as ${ident(column.name)}` : `(to_json(${c}) #>> '{}') as ${ident(column.name)}`;
  if (column.read === 'text') return `${c}::text${column.isArray ? '[]' : ''} as ${ident(column.name)}`;
  return `${c}`;
}

export function selectList(table: ModelTable, alias = 't'): string {
  return table.columns.map((c) => readExpression(c, alias)).join(', ');
}

const MAX_FILTER_DEPTH = 16;

type FilterValue = Record<string, unknown>;

/** A filter input as a boolean SQL expression over alias `t`. */
export function compileFilter(table: ModelTable, filter: FilterValue | null | undefined, params: Params, depth = 0): string {
  if (!filter) return 'true';
  if (depth > MAX_FILTER_DEPTH) throw new GraphQLError(`A filter may nest and/or/not ${MAX_FILTER_DEPTH} levels deep at most`, { extensions: { code: 'FILTER_TOO_DEEP', limit: MAX_FILTER_DEPTH } });
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      const list = (value as FilterValue[] | null) ?? [];
      const inner = list.map((f) => compileFilter(table, f, params, depth + 1));
      parts.push(inner.length ? `(${inner.join(key === 'and' ? ' and ' : ' or ')})` : key === 'and' ? 'true' : 'false');
      continue;
    }
    if (key === 'not') {
      if (value !== null) parts.push(`not (${compileFilter(table, value as FilterValue, params, depth + 1)})`);
      continue;
    }
    const column = table.columns.find((c) => c.field === key);
    if (!column || value === null) continue;
    parts.push(...compileColumnFilter(column, value as FilterValue, params));
  }
  return parts.length ? parts.join(' and ') : 'true';
}

function compileColumnFilter(column: ModelColumn, ops: FilterValue, params: Params): string[] {
  const c = `t.${ident(column.name)}`;
  const out: string[] = [];
  for (const [op, raw] of Object.entries(ops)) {
    if (raw === undefined) continue;
    if (op === 'isNull') {
      if (raw !== null) out.push(`${c} is ${raw ? '' : 'not '}null`);
      continue;
    }
    if (raw === null) {
      // eq: null means "is null" (as Hasura and PostGraphile read it); other operators ignore a null.
      if (op === 'eq') out.push(`${c} is null`);
      if (op === 'neq') out.push(`${c} is not null`);
      continue;
    }
    const value = toSql(column, raw);
    switch (op) {
      case 'eq': out.push(`${c} = ${params.add(value, column.sqlType)}`); break;
      case 'neq': out.push(`${c} is distinct from ${params.add(value, column.sqlType)}`); break;
      case 'lt': out.push(`${c} < ${params.add(value, column.sqlType)}`); break;
      case 'lte': out.push(`${c} <= ${params.add(value, column.sqlType)}`); break;
      case 'gt': out.push(`${c} > ${params.add(value, column.sqlType)}`); break;
      case 'gte': out.push(`${c} >= ${params.add(value, column.sqlType)}`); break;
      case 'in': out.push(`${c} = any(${params.add((raw as unknown[]).map((v) => toSql(column, v)), `${column.sqlType}[]`)})`); break;
      case 'notIn': out.push(`not (${c} = any(${params.add((raw as unknown[]).map((v) => toSql(column, v)), `${column.sqlType}[]`)}))`); break;
      case 'like': out.push(`${c} like ${params.add(value, 'text')}`); break;
      case 'ilike': out.push(`${c} ilike ${params.add(value, 'text')}`); break;
      case 'contains': out.push(column.isArray ? `${c} @> ${params.add(value, column.sqlType)}` : `${c}::jsonb @> ${params.add(value, 'jsonb')}`); break;
      default: break;
    }
  }
  return out;
}

/** Rows whose columns equal one of the tuples: `= any(array)` for one column, `in (unnest(…))` for several. */
export function keyMatch(columns: readonly ModelColumn[], tuples: ReadonlyArray<readonly unknown[]>, params: Params): string {
  if (columns.length === 1) return `t.${ident(columns[0].name)} = any(${params.add(tuples.map((v) => toSql(columns[0], v[0])), `${columns[0].sqlType}[]`)})`;
  const arrays = columns.map((c, i) => params.add(tuples.map((v) => toSql(c, v[i])), `${c.sqlType}[]`));
  return `(${columns.map((c) => `t.${ident(c.name)}`).join(', ')}) in (select * from unnest(${arrays.join(', ')}))`;
}

export type OrderTerm = { column: ModelColumn; asc: boolean };

/** The order of a list: the orderBy enum values (COLUMN_ASC / COLUMN_DESC), then the primary key (a total order). */
export function orderTerms(table: ModelTable, orderBy: readonly string[] | null | undefined): OrderTerm[] {
  const terms: OrderTerm[] = [];
  const seen = new Set<string>();
  for (const value of orderBy ?? []) {
    const m = /^(.*)_(ASC|DESC)$/.exec(value);
    const column = m ? table.columns.find((c) => orderName(c.name) === m[1]) : undefined;
    if (!m || !column || seen.has(column.name)) continue;
    seen.add(column.name);
    terms.push({ column, asc: m[2] === 'ASC' });
  }
  for (const k of table.primaryKey) {
    if (!seen.has(k)) terms.push({ column: table.columns.find((c) => c.name === k)!, asc: true });
  }
  return terms;
}

/** ORDER BY of the terms: ascending puts nulls last, descending first (what keysetAfter assumes). */
export function compileOrder(table: ModelTable, orderBy: readonly string[] | null | undefined, alias = 't'): string {
  const terms = orderTerms(table, orderBy);
  return terms.length ? terms.map((o) => `${alias}.${ident(o.column.name)} ${o.asc ? 'asc nulls last' : 'desc nulls first'}`).join(', ') : '1';
}

/** A row's position in the order, as text (exact for every type; cast back to the column's type when compared). */
export function orderKeyList(terms: readonly OrderTerm[], alias = 't'): string {
  return `array[${terms.map((o) => `${alias}.${ident(o.column.name)}::text`).join(', ')}] as "__cursor"`;
}

/**
 * Rows after a position in the order (keyset pagination): for terms c1…cn and the position's values
 * v1…vn, rows where the first i-1 terms equal and the i-th comes after, for some i. Nulls sort last
 * ascending and first descending, as compileOrder writes it.
 */
export function keysetAfter(terms: readonly OrderTerm[], values: ReadonlyArray<string | null>, params: Params, alias = 't'): string {
  const ors: string[] = [];
  const equal: string[] = [];
  for (const [i, { column, asc }] of terms.entries()) {
    const c = `${alias}.${ident(column.name)}`;
    const v = values[i];
    const param = v === null ? null : params.add(v, column.sqlType);
    const after = asc ? (param === null ? null : `(${c} > ${param} or ${c} is null)`) : (param === null ? `${c} is not null` : `${c} < ${param}`);
    if (after) ors.push(equal.length ? `(${equal.join(' and ')} and ${after})` : after);
    equal.push(param === null ? `${c} is null` : `${c} = ${param}`);
  }
  return ors.length ? `(${ors.join(' or ')})` : 'false';
}
