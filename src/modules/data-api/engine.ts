// One GraphQL request on a workspace's data: parse (cached), pick the operation, the workspace's
// schema shape (cached per workspace and version; one executable schema per shape, shared),
// validate (cached per shape and query), measure (depth, cost), execute in one transaction
// switched to the workspace's data role. A mutation that fails leaves nothing: the transaction
// rolls back and the answer says which statement refused and why, in GraphQL's own error format.
import { getOperationAST, GraphQLError, parse, validate, execute } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import { defineSetting } from '../../kernel/settings.ts';
import { Type } from '@fastify/type-provider-typebox';
import { buildSchema } from './graphql-schema.ts';
import type { DataContext } from './graphql-schema.ts';
import { LIMITS, measure } from './limits.ts';
import { modelOf, readCatalog } from './model.ts';
import type { Model } from './model.ts';

export type GraphqlRequest = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null };
export type GraphqlCaller = { workspaceId: string; userId: string | null; roles: readonly string[]; canWrite: boolean; isGet?: boolean };
export type GraphqlAnswer = { status: number; body: { data?: unknown; errors?: GraphQLFormattedError[]; extensions?: Record<string, unknown> } };

export type Shape = { model: Model; schema: GraphQLSchema; validated: Map<string, readonly GraphQLError[]> };

const MAX_TOKENS = 5000;
const CACHED_QUERY_MAX = 20_000;
const TIMEOUT_TTL_MS = 30_000;

/** `data.statement_timeout_ms`: how long one statement of the workspace's data API may run. */
export const DATA_TIMEOUT_SETTING = defineSetting({
  key: 'data.statement_timeout_ms',
  description: 'How long one SQL statement of the workspace\'s data API (GraphQL, subscriptions) may run, in ms; longer ones are stopped with STATEMENT_TIMEOUT',
  schema: Type.Integer({ minimum: 100, maximum: 30_000 }),
  default: 5000,
});

/** `data.max_rows`: how many rows the workspace's tables may hold together (checked before each insert, from PostgreSQL's live-row counts). */
export const DATA_ROWS_SETTING = defineSetting({
  key: 'data.max_rows',
  description: 'How many rows the workspace\'s own tables may hold in all (about: PostgreSQL\'s live-row counts, a few seconds behind); an insert past it is refused with ROW_LIMIT',
  schema: Type.Integer({ minimum: 1000, maximum: 1_000_000_000 }),
  default: 1_000_000,
});
const ROWS_TTL_MS = 5000;

/** A Map used as an LRU: reading moves an entry to the end; the oldest goes past `max`. */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}

const PROBE = { name: 'atrium_data_probe', text: 'select version, case when shape_version = version then shape_hash end as shape_hash from data_schemas where workspace_id = $1', values: [] as unknown[] };
type Probe = { version: number; shape_hash: string | null };

class NotProvisioned extends Error {}
/** The schema moved on since this process last looked (a migration): run again on the new shape. */
class Stale extends Error {}
class RolledBack extends Error {
  readonly answer: GraphqlAnswer;
  constructor(answer: GraphqlAnswer) {
    super('rolled back');
    this.answer = answer;
  }
}

/**
 * A request GraphQL refuses as a whole. GraphQL over HTTP answers it 200 with `errors` (the
 * `application/json` rules: a well-formed GraphQL response is a 200); HTTP's own 4xx stay
 * problem+json (authentication, permission, a body that is not a GraphQL request).
 */
function refusal(code: string, message: string, extra: Record<string, unknown> = {}): GraphqlAnswer {
  return { status: 200, body: { data: null, errors: [{ message, extensions: { code, ...extra } }] } };
}

/** What PostgreSQL said, as a GraphQL error a client can act on (never a 500 for the caller's data). */
export function sqlErrorCode(err: { code?: string }): string | null {
  switch (err.code) {
    case '23505': return 'UNIQUE_VIOLATION';
    case '23503': return 'FOREIGN_KEY_VIOLATION';
    case '23502': return 'NOT_NULL_VIOLATION';
    case '23514': return 'CHECK_VIOLATION';
    case '23P01': return 'EXCLUSION_VIOLATION';
    case '57014': return 'STATEMENT_TIMEOUT';
    case '25P02': return 'TRANSACTION_ABORTED';
    case '42501': return 'FORBIDDEN';
    case '40001': case '40P01': return 'CONFLICT_RETRY';
    default:
      if (err.code?.startsWith('22')) return 'INVALID_VALUE';
      if (err.code?.startsWith('42') || err.code?.startsWith('2F') || err.code?.startsWith('54')) return 'QUERY_REFUSED';
      return null;
  }
}

export function createGraphqlEngine(deps: { db: Database; log: Logger; provision(workspaceId: string): Promise<void> }) {
  const shapes = new Lru<string, Shape>(500);
  const workspaces = new Lru<string, { version: number; hash: string }>(200_000);
  const documents = new Lru<string, DocumentNode | GraphQLError>(2000);
  // The workspace's statement timeout and row cap, read once per 30 s (a change here is seen at once).
  const settings = new Lru<string, { ms: number; maxRows: number; until: number }>(200_000);
  // Rows the workspace's tables hold, about: read at most every 5 s, plus what this process added since.
  const rowCounts = new Lru<string, { n: number; until: number }>(200_000);

  async function settingsOf(workspaceId: string): Promise<{ ms: number; maxRows: number }> {
    const hit = settings.get(workspaceId);
    if (hit && hit.until > Date.now()) return hit;
    const rows = await deps.db.readInWorkspace<{ key: string; value: unknown }>(workspaceId, {
      name: 'data_settings', text: 'select key, value from workspace_setting_values where workspace_id = $1 and key = any($2::text[])',
      values: [workspaceId, [DATA_TIMEOUT_SETTING.key, DATA_ROWS_SETTING.key]],
    });
    const of = (key: string) => rows.find((r) => r.key === key)?.value;
    const timeout = of(DATA_TIMEOUT_SETTING.key);
    const maxRows = of(DATA_ROWS_SETTING.key);
    const value = {
      ms: typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= 100 && timeout <= 30_000 ? timeout : DATA_TIMEOUT_SETTING.default,
      maxRows: typeof maxRows === 'number' && Number.isInteger(maxRows) && maxRows >= 1000 ? maxRows : DATA_ROWS_SETTING.default,
    };
    settings.set(workspaceId, { ...value, until: Date.now() + TIMEOUT_TTL_MS });
    return value;
  }

  /** The row cap, checked before an insert: the live-row counts of the workspace's tables (by name: no scan of pg_class). */
  async function checkRowCap(ctx: DataContext, workspaceId: string, model: Model, maxRows: number, adding: number): Promise<void> {
    let hit = rowCounts.get(workspaceId);
    if (!hit || hit.until <= Date.now()) {
      const { rows } = await ctx.tx.query<{ n: string }>({
        name: 'data_row_count', text: 'select coalesce(sum(pg_stat_get_live_tuples(to_regclass(quote_ident(n)))), 0)::bigint as n from unnest($1::text[]) n',
        values: [model.tables.map((t) => t.name)],
      });
      hit = { n: Number(rows[0].n), until: Date.now() + ROWS_TTL_MS };
      rowCounts.set(workspaceId, hit);
    }
    if (hit.n + adding > maxRows) {
      throw new GraphQLError(`This workspace's tables hold about ${hit.n.toLocaleString('en-US')} rows; adding ${adding.toLocaleString('en-US')} would pass its cap of ${maxRows.toLocaleString('en-US')} (setting data.max_rows)`, {
        extensions: { code: 'ROW_LIMIT', limit: maxRows, measured: hit.n },
      });
    }
    hit.n += adding;
  }

  function parsed(query: string): DocumentNode | GraphQLError {
    const hit = documents.get(query);
    if (hit) return hit;
    let out: DocumentNode | GraphQLError;
    try {
      out = parse(query, { maxTokens: MAX_TOKENS, noLocation: false });
    } catch (err) {
      out = err instanceof GraphQLError ? err : new GraphQLError('The query could not be parsed');
    }
    if (query.length <= CACHED_QUERY_MAX) documents.set(query, out);
    return out;
  }

  /** The workspace's shape at `version`: the one this process holds under the hash its last migration recorded, or introspected in `tx` (switched to its data role). */
  async function shapeAt(tx: Tx, workspaceId: string, version: number, recordedHash: string | null): Promise<Shape> {
    const recorded = recordedHash ? shapes.get(recordedHash) : undefined;
    if (recorded) {
      workspaces.set(workspaceId, { version, hash: recordedHash! });
      return recorded;
    }
    const model = modelOf(await readCatalog(tx));
    let shape = shapes.get(model.hash);
    if (!shape) {
      shape = { model, schema: buildSchema(model), validated: new Map() };
      shapes.set(model.hash, shape);
    }
    workspaces.set(workspaceId, { version, hash: model.hash });
    return shape;
  }

  /**
   * `fn` on the workspace's data, with its shape. When this process knows the shape, `fn` runs at
   * once, beside the version probe (no round trip waiting for it); if the probe then says the
   * schema moved on (a migration, here or in another process), the transaction is rolled back
   * and run again on the new shape. Otherwise the probe is awaited and the shape introspected.
   */
  async function inSchema<T>(caller: Pick<GraphqlCaller, 'workspaceId' | 'userId' | 'roles'>, fn: (tx: Tx, shape: Shape, version: number) => Promise<T>): Promise<T> {
    const { ms: statementTimeoutMs } = await settingsOf(caller.workspaceId);
    const attempt = () => deps.db.withWorkspaceSchema<T, Probe>(
      caller.workspaceId, { userId: caller.userId, roles: caller.roles, statementTimeoutMs },
      async (tx, probe) => {
        const known = workspaces.get(caller.workspaceId);
        const cached = known ? shapes.get(known.hash) : undefined;
        if (known && cached) {
          const [rows, outcome] = await Promise.all([probe, fn(tx, cached, known.version).then((value) => ({ value }), (error: unknown) => ({ error }))]);
          if (!rows.length) throw new NotProvisioned();
          if (rows[0].version !== known.version) throw new Stale();
          if ('error' in outcome) throw outcome.error;
          return outcome.value;
        }
        const rows = await probe;
        if (!rows.length) throw new NotProvisioned();
        return fn(tx, await shapeAt(tx, caller.workspaceId, rows[0].version, rows[0].shape_hash), rows[0].version);
      },
      { ...PROBE, values: [caller.workspaceId] },
    );
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (err instanceof Stale && tries < 3) {
          workspaces.set(caller.workspaceId, { version: -1, hash: '' });
          continue;
        }
        // A workspace from before the data API, or a child workspace: its schema is made on first use.
        const missingRole = (err as { code?: string }).code === '42704' || (err as { code?: string }).code === '22023';
        if (!(err instanceof NotProvisioned) && !missingRole) throw err;
        if (tries >= 3) throw err;
        await deps.provision(caller.workspaceId);
      }
    }
  }

  async function run(caller: GraphqlCaller, request: GraphqlRequest): Promise<GraphqlAnswer> {
    const document = parsed(request.query);
    if (document instanceof GraphQLError) return { status: 200, body: { data: null, errors: [{ ...document.toJSON(), extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] } };
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      return refusal('OPERATION_NOT_FOUND', request.operationName ? `No operation named "${request.operationName}" in the document` : 'The document must hold one operation, or name the one to run (operationName)');
    }
    if (operation.operation === 'subscription') return refusal('SUBSCRIPTION_NOT_SUPPORTED', 'Subscriptions are not served on this endpoint yet');
    const isMutation = operation.operation === 'mutation';
    if (isMutation && !caller.canWrite) throw kernelErrors.create('FORBIDDEN', caller.isGet ? 'Mutations are POSTed' : 'Changing rows needs the permission data.write', caller.isGet ? {} : { extra: { permission: 'data.write' } });
    const variables = request.variables ?? {};

    try {
      return await inSchema(caller, async (tx, shape) => {
        let errors = shape.validated.get(request.query);
        if (!errors) {
          errors = validate(shape.schema, document);
          if (request.query.length <= CACHED_QUERY_MAX && shape.validated.size < 5000) shape.validated.set(request.query, errors);
        }
        if (errors.length) return { status: 200, body: { data: null, errors: errors.map((e) => ({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) } };
        const cost = measure(shape.schema, document, operation, variables);
        if (cost.depth > LIMITS.depth) return refusal('DEPTH_LIMIT', `This query nests ${cost.depth} levels deep; the limit is ${LIMITS.depth}`, { limit: LIMITS.depth, measured: cost.depth });
        if (cost.cost > LIMITS.cost) return refusal('COST_LIMIT', `This query may fetch ${cost.cost} rows; the limit is ${LIMITS.cost} (ask for smaller pages: first)`, { limit: LIMITS.cost, measured: cost.cost });
        const ctx: DataContext = { tx, statements: 0, loaders: new Map() };
        if (isMutation) {
          const { maxRows } = await settingsOf(caller.workspaceId);
          ctx.beforeInsert = (count) => checkRowCap(ctx, caller.workspaceId, shape.model, maxRows, count);
        }
        const result = (await execute({ schema: shape.schema, document, operationName: request.operationName, variableValues: variables, contextValue: ctx })) as ExecutionResult;
        const answer: GraphqlAnswer = { status: 200, body: { ...(result.errors?.length ? { errors: formatErrors(result.errors) } : {}), data: result.data ?? null, extensions: { cost: cost.cost, statements: ctx.statements } } };
        if (result.errors?.some((e) => e.originalError && !(e.originalError instanceof GraphQLError) && sqlErrorCode(e.originalError as { code?: string }) === null)) {
          throw result.errors.find((e) => e.originalError && !(e.originalError instanceof GraphQLError))!.originalError;
        }
        // A mutation is all or nothing: any error rolls every change of the request back.
        if (isMutation && result.errors?.length) throw new RolledBack({ ...answer, body: { ...answer.body, data: null } });
        return answer;
      });
    } catch (err) {
      if (err instanceof RolledBack) return err.answer;
      const code = sqlErrorCode(err as { code?: string });
      if (code) return refusal(code, (err as Error).message);
      throw err;
    }
  }

  function formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    const out = errors.map((e): GraphQLFormattedError => {
      const original = e.originalError as (Error & { code?: string; detail?: string; constraint?: string; column?: string; table?: string }) | undefined;
      if (!original || original instanceof GraphQLError) return e.toJSON();
      const code = sqlErrorCode(original) ?? 'INTERNAL';
      return {
        message: code === 'INTERNAL' ? 'The query failed' : original.message, locations: e.locations, path: e.path,
        extensions: { code, ...(original.constraint ? { constraint: original.constraint } : {}), ...(original.column ? { column: original.column } : {}), ...(original.detail ? { detail: original.detail } : {}) },
      };
    });
    // After a failed statement the transaction refuses the others: their errors say nothing new.
    const firstCause = out.filter((e) => e.extensions?.code !== 'TRANSACTION_ABORTED');
    return firstCause.length ? firstCause : out;
  }

  /**
   * A subscription, checked as a request is (parse, the operation, validation against the
   * workspace's current shape, depth): what graphql-ws executes, or the errors to send back.
   */
  async function prepareSubscription(caller: Pick<GraphqlCaller, 'workspaceId' | 'userId' | 'roles'>, request: GraphqlRequest): Promise<{ shape: Shape; document: DocumentNode } | { errors: GraphQLError[] }> {
    const document = parsed(request.query);
    if (document instanceof GraphQLError) return { errors: [document] };
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) return { errors: [new GraphQLError('The document must hold one operation, or name the one to run (operationName)', { extensions: { code: 'OPERATION_NOT_FOUND' } })] };
    if (operation.operation !== 'subscription') return { errors: [new GraphQLError('Queries and mutations are POSTed to /api/v1/data/graphql; this socket serves subscriptions', { extensions: { code: 'SUBSCRIPTIONS_ONLY' } })] };
    const shape = await inSchema(caller, async (_tx, s) => s);
    const errors = validate(shape.schema, document);
    if (errors.length) return { errors: errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) };
    const cost = measure(shape.schema, document, operation, request.variables ?? {});
    if (cost.depth > LIMITS.depth) return { errors: [new GraphQLError(`This subscription nests ${cost.depth} levels deep; the limit is ${LIMITS.depth}`, { extensions: { code: 'DEPTH_LIMIT', limit: LIMITS.depth } })] };
    return { shape, document };
  }

  return {
    run,
    inSchema,
    prepareSubscription,
    /** Forget a workspace's shape in this process (its next request reads the version again anyway). */
    forget(workspaceId: string) {
      workspaces.set(workspaceId, { version: -1, hash: '' });
    },
    /** The workspace's settings changed: read its statement timeout and row cap again. */
    /** A workspace's data settings changed (every workspace's without an id): read them again. */
    settingsChanged(workspaceId?: string) {
      if (workspaceId) settings.set(workspaceId, { ms: 0, maxRows: 0, until: 0 });
      else settings.clear();
    },
    stats: () => ({ shapes: shapes.size, workspaces: workspaces.size, documents: documents.size }),
  };
}

export type GraphqlEngine = ReturnType<typeof createGraphqlEngine>;
