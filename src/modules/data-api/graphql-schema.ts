// The GraphQL schema generated from a model (one per schema shape, shared by every workspace with
// the same tables). Resolvers hold no workspace: they run SQL on the request's transaction, which
// is switched to the caller's data role and schema. Relations are batched per request with
// DataLoader: a list of 20 tasks with their project and comments is three statements, not 41.
import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import {
  GraphQLBoolean, GraphQLEnumType, GraphQLError, GraphQLFloat, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull,
  GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, Kind, valueFromASTUntyped,
} from 'graphql';
import type { FragmentDefinitionNode, GraphQLFieldConfig, GraphQLFieldConfigArgumentMap, GraphQLInputFieldConfigMap, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Tx } from '../../kernel/db/database.ts';
import type { Model, ModelColumn, ModelTable } from './model.ts';
import { compileFilter, compileOrder, ident, keyMatch, keysetAfter, orderKeyList, orderTerms, Params, selectList, toSql } from './sql.ts';
import type { OrderTerm } from './sql.ts';
import { orderName } from './model.ts';

export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;
export const BULK_MAX = 500;

type Row = Record<string, unknown>;

/** What every resolver of one request shares: the transaction and the request's batch loaders. */
export type DataContext = {
  tx: Tx;
  statements: number;
  loaders: Map<string, DataLoader<unknown, unknown>>;
  /** Before rows are added: refuses (ROW_LIMIT) when the workspace's row cap would be passed. */
  beforeInsert?(count: number): Promise<void>;
};

/** A change as a subscription delivers it: the operation, the row's key, the row (null: gone or out of view). */
export type ChangePayload = { op: 'i' | 'u' | 'd'; key: string; row: Record<string, unknown> | null };
export type ChangeArgs = { filter?: Record<string, unknown> | null; ops?: Array<'i' | 'u' | 'd'> | null };

/** What a subscription's root field needs: a stream of the table's changes, as this caller may see them. */
export type SubscriptionContext = { changes(table: ModelTable, args: ChangeArgs): AsyncIterable<ChangePayload> };

export async function run(ctx: DataContext, text: string, values: unknown[]): Promise<Row[]> {
  ctx.statements++;
  const { rows } = await ctx.tx.query<Row>(text, values);
  return rows;
}

function loader<K, V>(ctx: DataContext, key: string, batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
  let l = ctx.loaders.get(key) as DataLoader<K, V> | undefined;
  if (!l) {
    l = new DataLoader<K, V>(batch, { maxBatchSize: 1000 });
    ctx.loaders.set(key, l as DataLoader<unknown, unknown>);
  }
  return l;
}

// ---- scalars ---------------------------------------------------------------------------------

function inputError(type: string, value: unknown): GraphQLError {
  return new GraphQLError(`${type} cannot represent ${typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value}`);
}

function stringScalar(name: string, description: string, accept: (s: string) => boolean, numbers = false): GraphQLScalarType {
  const coerce = (value: unknown): string => {
    if (typeof value === 'number' && numbers && Number.isFinite(value)) return String(value);
    if (typeof value === 'string' && value.length <= 1000 && accept(value)) return value;
    throw inputError(name, value);
  };
  return new GraphQLScalarType<string, string>({
    name, description,
    coerceOutputValue: (value) => String(value),
    coerceInputValue: coerce,
    coerceInputLiteral: (ast) => {
      if (ast.kind === Kind.STRING || (numbers && (ast.kind === Kind.INT || ast.kind === Kind.FLOAT))) return coerce(ast.kind === Kind.STRING ? ast.value : Number(ast.value));
      throw new GraphQLError(`${name} cannot represent this literal`);
    },
  });
}

const NO_NUL = (s: string) => !s.includes('\u0000');
export const SCALARS = {
  BigInt: stringScalar('BigInt', 'A 64-bit integer, as a string (JSON numbers lose precision past 2^53)', (s) => /^-?\d{1,19}$/.test(s), true),
  BigFloat: stringScalar('BigFloat', 'An arbitrary-precision decimal (numeric), as a string', (s) => /^-?(\d{1,131072})(\.\d{1,16383})?$/.test(s) && s.length <= 200, true),
  UUID: stringScalar('UUID', 'A UUID', (s) => /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/.test(s)),
  Datetime: stringScalar('Datetime', 'A timestamp, ISO 8601 (2026-12-06T10:00:00Z)', (s) => NO_NUL(s) && s.length <= 64),
  Date: stringScalar('Date', 'A date, ISO 8601 (2026-12-06)', (s) => NO_NUL(s) && s.length <= 32),
  Time: stringScalar('Time', 'A time of day (10:30:00)', (s) => NO_NUL(s) && s.length <= 32),
  Cursor: stringScalar('Cursor', 'An opaque position in a list (pass a cursor you were given as `after`, with the same orderBy)', (s) => /^[A-Za-z0-9_-]{1,16384}$/.test(s)),
  JSON: new GraphQLScalarType({
    name: 'JSON', description: 'Any JSON value',
    coerceOutputValue: (value) => value,
    coerceInputValue: (value) => value,
    coerceInputLiteral: (ast) => valueFromASTUntyped(ast),
  }),
};

/** A position by offset: lists of tables without a primary key (no total order to hold on to). */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** A position by the row's values in the order (keyset): rows added or removed before it move nothing. */
export function encodeKeyCursor(order: string, values: ReadonlyArray<string | null>): string {
  return Buffer.from(`k:${JSON.stringify([order, values])}`).toString('base64url');
}

/** The order a keyset cursor belongs to: the columns and directions, hashed short. */
export function orderSignature(terms: readonly OrderTerm[]): string {
  return createHash('sha256').update(terms.map((o) => `${o.column.name}:${o.asc ? 'a' : 'd'}`).join(',')).digest('base64url').slice(0, 10);
}

type Position = { offset: number } | { order: string; values: Array<string | null> };

export function decodeCursor(cursor: string): Position {
  const bad = () => new GraphQLError('This cursor is not one this API gave out', { extensions: { code: 'BAD_CURSOR' } });
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const offset = /^o:(\d{1,9})$/.exec(text);
  if (offset) return { offset: Number(offset[1]) };
  if (!text.startsWith('k:')) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(2));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || !Array.isArray(parsed[1]) || !parsed[1].every((v) => v === null || (typeof v === 'string' && !v.includes('\u0000')))) throw bad();
  return { order: parsed[0], values: parsed[1] as Array<string | null> };
}

// ---- the schema ------------------------------------------------------------------------------

export function buildSchema(model: Model): GraphQLSchema {
  const enums = new Map(model.enums.map((e) => [e.name, new GraphQLEnumType({ name: e.typeName, values: Object.fromEntries(e.values.map((v) => [v, { value: v }])) })]));
  const tables = new Map(model.tables.map((t) => [t.name, t]));
  const objectTypes = new Map<string, GraphQLObjectType>();
  const filterTypes = new Map<string, GraphQLInputObjectType>();
  const orderTypes = new Map<string, GraphQLEnumType>();
  const scalarFilters = new Map<string, GraphQLInputObjectType>();

  const baseType = (c: ModelColumn): GraphQLScalarType | GraphQLEnumType => {
    if (c.kind === 'Enum') return enums.get(c.enumName!)!;
    switch (c.kind) {
      case 'Int': return GraphQLInt;
      case 'Float': return GraphQLFloat;
      case 'Boolean': return GraphQLBoolean;
      case 'String': return GraphQLString;
      default: return SCALARS[c.kind];
    }
  };
  const valueType = (c: ModelColumn): GraphQLScalarType | GraphQLEnumType | GraphQLList<GraphQLScalarType | GraphQLEnumType> => (c.isArray ? new GraphQLList(baseType(c)) : baseType(c));

  const filterFor = (c: ModelColumn): GraphQLInputObjectType => {
    const base = baseType(c);
    const key = `${base.name}${c.isArray ? 'List' : ''}Filter`;
    let f = scalarFilters.get(key);
    if (f) return f;
    const fields: GraphQLInputFieldConfigMap = { isNull: { type: GraphQLBoolean, description: 'true: is null; false: is not null' } };
    if (c.isArray) fields.contains = { type: new GraphQLList(base), description: 'Holds every one of these values' };
    else if (c.kind === 'JSON') fields.contains = { type: SCALARS.JSON, description: 'Contains this JSON (jsonb @>)' };
    else {
      fields.eq = { type: base, description: 'Equal (null: is null)' };
      fields.neq = { type: base, description: 'Not equal (null counts as a value)' };
      fields.in = { type: new GraphQLList(new GraphQLNonNull(base)) };
      fields.notIn = { type: new GraphQLList(new GraphQLNonNull(base)) };
      if (c.kind !== 'Boolean') for (const op of ['lt', 'lte', 'gt', 'gte']) fields[op] = { type: base };
      if (c.kind === 'String') {
        fields.like = { type: GraphQLString, description: 'SQL LIKE (% any text, _ one character)' };
        fields.ilike = { type: GraphQLString, description: 'LIKE, ignoring case' };
      }
    }
    f = new GraphQLInputObjectType({ name: key, fields });
    scalarFilters.set(key, f);
    return f;
  };

  const filterOf = (t: ModelTable): GraphQLInputObjectType => filterTypes.get(t.name)!;
  for (const t of model.tables) {
    const filter: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${t.typeName}Filter`,
      fields: () => ({
        ...Object.fromEntries(t.columns.map((c) => [c.field, { type: filterFor(c) }])),
        and: { type: new GraphQLList(new GraphQLNonNull(filter)), description: 'Every one of these' },
        or: { type: new GraphQLList(new GraphQLNonNull(filter)), description: 'Any one of these' },
        not: { type: filter, description: 'Not this' },
      }),
    });
    filterTypes.set(t.name, filter);
    const orderValues: Record<string, { value: string }> = {};
    for (const c of t.columns) {
      if (c.isArray || c.kind === 'JSON') continue;
      orderValues[`${orderName(c.name)}_ASC`] = { value: `${orderName(c.name)}_ASC` };
      orderValues[`${orderName(c.name)}_DESC`] = { value: `${orderName(c.name)}_DESC` };
    }
    if (Object.keys(orderValues).length) orderTypes.set(t.name, new GraphQLEnumType({ name: `${t.typeName}OrderBy`, values: orderValues }));
  }

  const listArgs = (t: ModelTable): GraphQLFieldConfigArgumentMap => ({
    filter: { type: filterOf(t) },
    ...(orderTypes.has(t.name) ? { orderBy: { type: new GraphQLList(new GraphQLNonNull(orderTypes.get(t.name)!)), description: 'Columns to sort by, in order (the primary key breaks ties)' } } : {}),
    first: { type: GraphQLInt, description: `How many rows (default ${PAGE_DEFAULT}, at most ${PAGE_MAX})` },
    offset: { type: GraphQLInt, description: 'Rows to skip' },
  });

  for (const t of model.tables) {
    objectTypes.set(t.name, new GraphQLObjectType({
      name: t.typeName,
      fields: () => {
        const fields: Record<string, GraphQLFieldConfig<Row, DataContext>> = {};
        for (const c of t.columns) {
          const type = valueType(c);
          fields[c.field] = { type: c.notNull ? new GraphQLNonNull(type) : type, resolve: (row) => row[c.name] };
        }
        for (const r of t.forward) {
          const target = tables.get(r.target)!;
          const targetColumns = r.targetColumns.map((n) => target.columns.find((c) => c.name === n)!);
          fields[r.field] = {
            type: objectTypes.get(target.name)!,
            description: `The ${target.typeName} this row's ${r.columns.join(', ')} ${r.columns.length > 1 ? 'point' : 'points'} to`,
            resolve: (row, _args, ctx) => {
              if (r.columns.some((n) => row[n] === null || row[n] === undefined)) return null;
              return loader<string, Row | null>(ctx, `fwd:${t.name}.${r.field}`, async (keys) => {
                const tuples = keys.map((k) => JSON.parse(k) as unknown[]);
                const params = new Params();
                const rows = await run(ctx, `select ${selectList(target)} from ${ident(target.name)} t where ${keyMatch(targetColumns, tuples, params)}`, params.values);
                const byKey = new Map(rows.map((x) => [keyOf(x, r.targetColumns), x]));
                return keys.map((k) => byKey.get(k) ?? null);
              }).load(keyOf(row, r.columns));
            },
          };
        }
        for (const r of t.backward) {
          const source = tables.get(r.source)!;
          const sourceColumns = r.sourceColumns.map((n) => source.columns.find((c) => c.name === n)!);
          fields[r.field] = {
            type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(objectTypes.get(source.name)!))),
            description: `The ${source.typeName} rows whose ${r.sourceColumns.join(', ')} ${r.sourceColumns.length > 1 ? 'point' : 'points'} to this row`,
            args: listArgs(source),
            resolve: (row, args: ListArgs, ctx) => {
              if (r.columns.some((n) => row[n] === null || row[n] === undefined)) return [];
              const limit = pageSize(args.first);
              const offset = nonNegative(args.offset, 'offset');
              return loader<string, Row[]>(ctx, `bwd:${t.name}.${r.field}:${JSON.stringify(args)}`, async (keys) => {
                const params = new Params();
                const match = keyMatch(sourceColumns, keys.map((k) => JSON.parse(k) as unknown[]), params);
                const where = compileFilter(source, args.filter, params);
                const order = compileOrder(source, args.orderBy, 't');
                const rows = await run(ctx,
                  `select * from (select ${selectList(source)}, row_number() over (partition by ${sourceColumns.map((c) => `t.${ident(c.name)}`).join(', ')} order by ${order}) as "__n"
                   from ${ident(source.name)} t where ${match} and ${where}) s
                   where s."__n" > ${offset} and s."__n" <= ${offset + limit} order by s."__n"`, params.values);
                const groups = new Map<string, Row[]>();
                for (const x of rows) {
                  const k = keyOf(x, r.sourceColumns);
                  const list = groups.get(k) ?? [];
                  list.push(x);
                  groups.set(k, list);
                }
                return keys.map((k) => groups.get(k) ?? []);
              }).load(keyOf(row, r.columns));
            },
          };
        }
        return fields;
      },
    }));
  }

  const PageInfo = new GraphQLObjectType({
    name: 'PageInfo',
    fields: {
      hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
      hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
      startCursor: { type: SCALARS.Cursor },
      endCursor: { type: SCALARS.Cursor },
    },
  });

  const ChangeOp = new GraphQLEnumType({
    name: 'ChangeOp',
    values: { INSERT: { value: 'i' }, UPDATE: { value: 'u' }, DELETE: { value: 'd', description: 'Deleted, or no longer in your view (a row rule or the filter)' } },
  });
  const subscription: Record<string, GraphQLFieldConfig<unknown, SubscriptionContext>> = {};
  const query: Record<string, GraphQLFieldConfig<unknown, DataContext>> = {};
  const mutation: Record<string, GraphQLFieldConfig<unknown, DataContext>> = {};
  for (const t of model.tables) {
    const object = objectTypes.get(t.name)!;
    const edge = new GraphQLObjectType({ name: `${t.typeName}Edge`, fields: { cursor: { type: new GraphQLNonNull(SCALARS.Cursor) }, node: { type: new GraphQLNonNull(object) } } });
    const connection = new GraphQLObjectType<Connection, DataContext>({
      name: `${t.typeName}Connection`,
      fields: {
        nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(object))), resolve: async (c, _a, ctx) => (await c.page(ctx)).rows },
        edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(edge))), resolve: async (c, _a, ctx) => (await c.page(ctx)).rows.map((node, i) => ({ node, cursor: c.cursorOf(node, i) })) },
        pageInfo: {
          type: new GraphQLNonNull(PageInfo),
          resolve: async (c, _a, ctx) => {
            const { rows, hasMore } = await c.page(ctx);
            return { hasNextPage: hasMore, hasPreviousPage: c.hasPrevious, startCursor: rows.length ? c.cursorOf(rows[0], 0) : null, endCursor: rows.length ? c.cursorOf(rows[rows.length - 1], rows.length - 1) : null };
          },
        },
        totalCount: { type: new GraphQLNonNull(GraphQLInt), description: 'Rows matching the filter (one more statement: ask only when you show it)', resolve: (c, _a, ctx) => c.count(ctx) },
      },
    });
    query[t.listField] = {
      type: new GraphQLNonNull(connection),
      description: `Rows of ${t.name}: filter, sort, page (first/after or first/offset)`,
      args: { ...listArgs(t), after: { type: SCALARS.Cursor, description: 'Rows after this cursor' } },
      resolve: (_root, args: ListArgs & { after?: string | null }, _ctx, info) => connectionOf(t, args, asksForCursors(info)),
    };
    const pkColumns = t.primaryKey.map((k) => t.columns.find((c) => c.name === k)!);
    const pkArgs: GraphQLFieldConfigArgumentMap = Object.fromEntries(pkColumns.map((c) => [c.field, { type: new GraphQLNonNull(baseType(c)) }]));
    const pkWhere = (args: Record<string, unknown>, params: Params) => pkColumns.map((c) => `t.${ident(c.name)} = ${params.add(toSql(c, args[c.field]), c.sqlType)}`).join(' and ');
    if (t.byKeyField) {
      query[t.byKeyField] = {
        type: object, args: pkArgs, description: `One row of ${t.name} by its primary key`,
        resolve: async (_root, args: Record<string, unknown>, ctx) => {
          const params = new Params();
          return (await run(ctx, `select ${selectList(t)} from ${ident(t.name)} t where ${pkWhere(args, params)}`, params.values))[0] ?? null;
        },
      };
    }

    if (pkColumns.length) {
      const change = new GraphQLObjectType<ChangePayload>({
        name: `${t.typeName}Change`,
        fields: {
          op: { type: new GraphQLNonNull(ChangeOp) },
          key: { type: new GraphQLNonNull(GraphQLString), description: 'The row\'s primary key (a key of several columns: a JSON array of their values as text)' },
          row: { type: object, description: 'The row as you may see it now (null when deleted or out of view)' },
        },
      });
      subscription[`${t.typeName[0].toLowerCase()}${t.typeName.slice(1)}Changed`] = {
        type: new GraphQLNonNull(change),
        description: `Rows of ${t.name} added, changed or deleted (after commit), as your row rules let you see them`,
        args: { filter: { type: filterOf(t) }, ops: { type: new GraphQLList(new GraphQLNonNull(ChangeOp)), description: 'Only these operations (default all)' } },
        subscribe: (_root, args: ChangeArgs, ctx) => ctx.changes(t, args),
        resolve: (payload) => payload as ChangePayload,
      };
    }

    const writable = t.columns.filter((c) => !c.isGenerated);
    if (!writable.length) continue;
    const input = new GraphQLInputObjectType({
      name: `${t.typeName}Input`,
      fields: Object.fromEntries(writable.map((c) => [c.field, { type: c.notNull && !c.hasDefault ? new GraphQLNonNull(valueType(c)) : valueType(c) }])),
    });
    const patch = new GraphQLInputObjectType({ name: `${t.typeName}Patch`, fields: Object.fromEntries(writable.map((c) => [c.field, { type: valueType(c) }])) });
    const insert = async (ctx: DataContext, rows: Array<Record<string, unknown>>, upsert: boolean): Promise<Row[]> => {
      if (rows.length === 0) return [];
      await ctx.beforeInsert?.(rows.length);
      const used = writable.filter((c) => rows.some((r) => r[c.field] !== undefined));
      const params = new Params();
      const values = rows.map((r) => `(${used.map((c) => (r[c.field] === undefined ? 'default' : params.add(toSql(c, r[c.field]), c.sqlType))).join(', ')})`);
      let sql = used.length
        ? `insert into ${ident(t.name)} as t (${used.map((c) => ident(c.name)).join(', ')}) values ${values.join(', ')}`
        : `insert into ${ident(t.name)} as t default values`;
      if (upsert) {
        const updates = used.filter((c) => !t.primaryKey.includes(c.name));
        sql += ` on conflict (${t.primaryKey.map(ident).join(', ')}) do ${updates.length ? `update set ${updates.map((c) => `${ident(c.name)} = excluded.${ident(c.name)}`).join(', ')}` : 'nothing'}`;
      }
      return run(ctx, `${sql} returning ${selectList(t)}`, params.values);
    };
    mutation[`create${t.typeName}`] = {
      type: new GraphQLNonNull(object), args: { input: { type: new GraphQLNonNull(input) } }, description: `Add a row to ${t.name}`,
      resolve: async (_root, args: { input: Record<string, unknown> }, ctx) => (await insert(ctx, [args.input], false))[0],
    };
    const bulkName = `create${pascal2(t.listField)}`;
    if (!mutation[bulkName] && bulkName !== `create${t.typeName}`) {
      mutation[bulkName] = {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(object))), args: { inputs: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(input))) } },
        description: `Add up to ${BULK_MAX} rows to ${t.name} in one statement: all or none`,
        resolve: (_root, args: { inputs: Array<Record<string, unknown>> }, ctx) => {
          if (args.inputs.length > BULK_MAX) throw new GraphQLError(`At most ${BULK_MAX} rows per bulk create`, { extensions: { code: 'BULK_LIMIT', limit: BULK_MAX } });
          return insert(ctx, args.inputs, false);
        },
      };
    }
    if (pkColumns.length) {
      mutation[`upsert${t.typeName}`] = {
        type: object, args: { input: { type: new GraphQLNonNull(input) } },
        description: `Add a row to ${t.name}, or update the row with the same primary key (null: it existed and nothing was to change)`,
        resolve: async (_root, args: { input: Record<string, unknown> }, ctx) => {
          const missing = pkColumns.filter((c) => args.input[c.field] === undefined || args.input[c.field] === null);
          if (missing.length) throw new GraphQLError(`An upsert needs the primary key: ${missing.map((c) => c.field).join(', ')}`, { extensions: { code: 'PRIMARY_KEY_REQUIRED' } });
          return (await insert(ctx, [args.input], true))[0] ?? null;
        },
      };
      mutation[`update${t.typeName}`] = {
        type: object, args: { ...pkArgs, patch: { type: new GraphQLNonNull(patch) } }, description: `Change a row of ${t.name} (null: no such row)`,
        resolve: async (_root, args: Record<string, unknown> & { patch: Record<string, unknown> }, ctx) => {
          const params = new Params();
          const sets = writable.filter((c) => args.patch[c.field] !== undefined).map((c) => `${ident(c.name)} = ${params.add(toSql(c, args.patch[c.field]), c.sqlType)}`);
          if (!sets.length) throw new GraphQLError('The patch changes nothing: give at least one field', { extensions: { code: 'EMPTY_PATCH' } });
          return (await run(ctx, `update ${ident(t.name)} as t set ${sets.join(', ')} where ${pkWhere(args, params)} returning ${selectList(t)}`, params.values))[0] ?? null;
        },
      };
      mutation[`delete${t.typeName}`] = {
        type: object, args: pkArgs, description: `Delete a row of ${t.name}; answers the row as it was (null: no such row)`,
        resolve: async (_root, args: Record<string, unknown>, ctx) => {
          const params = new Params();
          return (await run(ctx, `delete from ${ident(t.name)} as t where ${pkWhere(args, params)} returning ${selectList(t)}`, params.values))[0] ?? null;
        },
      };
    }
  }

  const emptyQuery = { _empty: { type: GraphQLString, description: 'This workspace has no tables yet: create one (console → Data, or POST /api/v1/data/migrations)', resolve: () => null } };
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: Object.keys(query).length ? query : emptyQuery }),
    mutation: Object.keys(mutation).length ? new GraphQLObjectType({ name: 'Mutation', fields: mutation }) : undefined,
    subscription: Object.keys(subscription).length ? new GraphQLObjectType({ name: 'Subscription', fields: subscription }) : undefined,
  });
}

function pascal2(field: string): string {
  return field[0].toUpperCase() + field.slice(1);
}

type ListArgs = { filter?: Record<string, unknown> | null; orderBy?: string[] | null; first?: number | null; offset?: number | null };

function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return PAGE_DEFAULT;
  if (first < 0 || first > PAGE_MAX) throw new GraphQLError(`first must be between 0 and ${PAGE_MAX}`, { extensions: { code: 'PAGE_SIZE_LIMIT', limit: PAGE_MAX } });
  return first;
}

function nonNegative(value: number | null | undefined, name: string): number {
  if (value === null || value === undefined) return 0;
  if (value < 0 || value > 1_000_000) throw new GraphQLError(`${name} must be between 0 and 1,000,000`, { extensions: { code: 'BAD_ARGUMENT' } });
  return value;
}

/** A row's key on some columns, as the loaders group by it: each value as text (an integer column may point at a bigint one, read as a string). */
function keyOf(row: Row, columns: readonly string[]): string {
  return JSON.stringify(columns.map((n) => (row[n] === null || row[n] === undefined ? null : String(row[n]))));
}

type Connection = {
  hasPrevious: boolean; cursorOf(row: Row, index: number): string;
  page(ctx: DataContext): Promise<{ rows: Row[]; hasMore: boolean }>; count(ctx: DataContext): Promise<number>;
};

/**
 * A list and its pages. With a primary key the order is total, and cursors are keyset positions
 * (the row's values in the order: a row added or deleted before it shifts nothing, and the next
 * page is an index range, not a scan past the skipped rows); a cursor is bound to its orderBy.
 * Without one, cursors are offsets.
 */
/** Does the request read cursors (edges or pageInfo) of this connection? If not, rows are fetched without their positions. */
function asksForCursors(info: GraphQLResolveInfo): boolean {
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>): boolean => (set?.selections ?? []).some((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === 'edges' || s.name.value === 'pageInfo';
    if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet, fragments);
    if (seen.has(s.name.value)) return false;
    seen.add(s.name.value);
    return visit(fragments[s.name.value]?.selectionSet, fragments);
  });
  return info.fieldNodes.some((node) => visit(node.selectionSet, info.fragments));
}

function connectionOf(t: ModelTable, args: ListArgs & { after?: string | null }, withCursors = true): Connection {
  const limit = pageSize(args.first);
  const terms = orderTerms(t, args.orderBy);
  const keyset = t.primaryKey.length > 0;
  const signature = orderSignature(terms);
  let offset = nonNegative(args.offset, 'offset');
  let after: Array<string | null> | null = null;
  if (args.after !== null && args.after !== undefined) {
    const position = decodeCursor(args.after);
    if ('offset' in position) {
      offset = position.offset + 1;
    } else {
      if (!keyset || position.order !== signature || position.values.length !== terms.length) {
        throw new GraphQLError('This cursor was given for another order of the list: pass the same orderBy as the page it came from', { extensions: { code: 'BAD_CURSOR' } });
      }
      after = position.values;
      offset = 0;
    }
  }
  let page: Promise<{ rows: Row[]; hasMore: boolean }> | null = null;
  let count: Promise<number> | null = null;
  return {
    hasPrevious: after !== null || offset > 0,
    cursorOf: (row, index) => (keyset ? encodeKeyCursor(signature, row.__cursor as Array<string | null>) : encodeCursor(offset + index)),
    page(ctx) {
      page ??= (async () => {
        const params = new Params();
        const where = compileFilter(t, args.filter, params);
        const from = after ? ` and ${keysetAfter(terms, after, params)}` : '';
        // Each row's position in the order, only when the request reads cursors (edges, pageInfo).
        const rows = await run(ctx, `select ${selectList(t)}${keyset && withCursors ? `, ${orderKeyList(terms)}` : ''} from ${ident(t.name)} t where ${where}${from} order by ${compileOrder(t, args.orderBy)} limit ${limit + 1} offset ${offset}`, params.values);
        return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
      })();
      return page;
    },
    count(ctx) {
      count ??= (async () => {
        const params = new Params();
        const rows = await run(ctx, `select count(*)::int as n from ${ident(t.name)} t where ${compileFilter(t, args.filter, params)}`, params.values);
        return rows[0].n as number;
      })();
      return count;
    },
  };
}
