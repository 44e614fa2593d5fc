// /data: a workspace's own tables and the GraphQL API generated from them.
//   POST /data/graphql, GET /data/graphql  queries (data.read) and mutations (data.write)
//   GET  /data/schema.graphql             the schema in SDL (for codegen and the CLI)
//   GET  /data/tables                     the tables as the catalog has them
//   GET  /data/migrations, POST /data/migrations   history; apply one (data_schema.manage)
import { Type } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import { printSchema } from 'graphql';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import { auditContextOf } from '../audit/index.ts';
import { holdsPermission } from '../access/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { Database, Tx } from '../../kernel/db/database.ts';
import { selectTenants } from './tenants.store.ts';
import type { AuditModule } from '../audit/index.ts';
import type { GraphqlCaller, GraphqlEngine } from './engine.ts';
import { Operation } from './ddl.ts';
import { applyMigration, listMigrations } from './migrations.ts';
import type { MigrationRow } from './migrations.ts';
import { modelOf, readCatalog } from './model.ts';
import { tablesOf } from './tables.ts';

const tags = ['data'];

const PersistedExtensions = Type.Object({
  persistedQuery: Type.Object({ version: Type.Integer({ minimum: 1, maximum: 1, description: 'Always 1' }), sha256Hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
}, { additionalProperties: true, description: 'Automatic persisted queries (Apollo\'s protocol): the hash of the query; GET with the hash alone once the query was sent with it' });
const GraphqlBody = Type.Object({
  query: Type.Optional(Type.String({ minLength: 1, maxLength: 100_000, description: 'The GraphQL document (may be left out for a persisted query already sent)' })),
  extensions: Type.Optional(PersistedExtensions),
  variables: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
  operationName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200, pattern: '^[_A-Za-z][_0-9A-Za-z]*$' }), Type.Null()])),
}, { additionalProperties: false });
const GraphqlQuery = Type.Object({
  query: Type.Optional(Type.String({ minLength: 1, maxLength: 8000, description: 'The GraphQL document (queries only: mutations are POSTed); may be left out for a persisted query' })),
  extensions: Type.Optional(Type.String({ maxLength: 1000, description: 'JSON: {"persistedQuery":{"version":1,"sha256Hash":"…"}}' })),
  variables: Type.Optional(Type.String({ maxLength: 8000, description: 'JSON object' })),
  operationName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[_A-Za-z][_0-9A-Za-z]*$' })),
}, { additionalProperties: false });
const GraphqlResponse = Type.Object({
  data: Type.Optional(Type.Unknown({ description: 'The result (null when the request failed as a whole)' })),
  errors: Type.Optional(Type.Array(Type.Object({
    message: Type.String(), locations: Type.Optional(Type.Unknown()), path: Type.Optional(Type.Unknown()),
    extensions: Type.Optional(Type.Object({ code: Type.String() }, { additionalProperties: true, description: 'code: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, DEPTH_LIMIT, COST_LIMIT, PAGE_SIZE_LIMIT, UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, NOT_NULL_VIOLATION, CHECK_VIOLATION, INVALID_VALUE, STATEMENT_TIMEOUT, FORBIDDEN…' })),
  }))),
  extensions: Type.Optional(Type.Object({ cost: Type.Optional(Type.Integer()), statements: Type.Optional(Type.Integer()) }, { additionalProperties: true })),
}, { description: 'A GraphQL response' });

const Column = Type.Object({
  name: Type.String(), field: Type.Union([Type.String(), Type.Null()], { description: 'Its GraphQL field (null: not exposed)' }), type: Type.String({ description: 'PostgreSQL type' }),
  graphqlType: Type.Union([Type.String(), Type.Null()]), nullable: Type.Boolean(), hasDefault: Type.Boolean(), isPrimaryKey: Type.Boolean(), isUnique: Type.Boolean(),
  references: Type.Union([Type.Object({ table: Type.String(), column: Type.String() }), Type.Null()]),
});
const Table = Type.Object({
  name: Type.String(), typeName: Type.Union([Type.String(), Type.Null()], { description: 'Its GraphQL type (null: left out, its names clash with another table\'s)' }),
  listField: Type.Union([Type.String(), Type.Null()]), byKeyField: Type.Union([Type.String(), Type.Null()]),
  columns: Type.Array(Column), indexes: Type.Array(Type.Object({ name: Type.String(), columns: Type.Array(Type.String()), isUnique: Type.Boolean() })),
  rowRule: Type.Union([Type.Literal('none'), Type.Literal('owner_only'), Type.Literal('members_read_admins_write'), Type.Literal('custom')], { description: 'The row rule in force (set_row_rule)' }),
  policies: Type.Array(Type.Object({ name: Type.String(), command: Type.String(), using: Type.Union([Type.String(), Type.Null()]), check: Type.Union([Type.String(), Type.Null()]) }), { description: 'The row-level security policies the rule compiled to' }),
});
const Tables = Type.Object({
  version: Type.Integer({ description: 'The data schema\'s version (bumped by every migration)' }),
  tables: Type.Array(Table), enums: Type.Array(Type.Object({ name: Type.String(), values: Type.Array(Type.String()) })),
});
const Migration = Type.Object({
  version: Type.Integer(), name: Type.String(), operations: Type.Array(Type.Unknown(), { description: 'Empty for a migration written in SQL' }), statements: Type.String({ description: 'The SQL that ran' }),
  checksum: Type.String(), appliedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]), appliedAt: Type.String({ format: 'date-time' }),
});
const MigrationBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$', description: 'What it does (default: from the operations)' })),
  operations: Type.Optional(Type.Array(Operation, { minItems: 1, maxItems: 100, description: 'What the table editor sends: operations compiled to DDL by Atrium' })),
  sql: Type.Optional(Type.String({
    minLength: 1, maxLength: 200_000,
    description: 'Or SQL written by hand (a project\'s migrations/*.sql): tables, indexes, views, enums, comments, policies and rows, checked by PostgreSQL\'s parser before it runs — no other schema, role, extension, function, trigger or DO block. Send operations or sql, not both',
  })),
  expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Refuse (409) unless the schema is at this version: the editor\'s guard against two people editing at once' })),
}, { additionalProperties: false });

const migrationOut = (m: MigrationRow) => ({ version: m.version, name: m.name, operations: m.operations, statements: m.statements, checksum: m.checksum, appliedBy: m.applied_by, appliedAt: m.applied_at.toISOString() });

const RANGES = { '1h': { ms: 3_600_000, bucket: 60 }, '24h': { ms: 86_400_000, bucket: 900 }, '7d': { ms: 604_800_000, bucket: 3600 }, '30d': { ms: 2_592_000_000, bucket: 21_600 } } as const;
const RangeQuery = Type.Object({ range: Type.Unsafe<keyof typeof RANGES>({ type: 'string', enum: Object.keys(RANGES), default: '24h', description: 'The window: 1h (per minute), 24h (per 15 min), 7d (per hour), 30d (per 6 h)' }) }, { additionalProperties: false });
const Latency = Type.Union([Type.Number(), Type.Null()], { description: 'Milliseconds (null: no request)' });
const Metrics = Type.Object({
  range: Type.String(), from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), bucketSeconds: Type.Integer(),
  totals: Type.Object({ requests: Type.Integer(), clientErrors: Type.Integer(), serverErrors: Type.Integer(), p50: Latency, p95: Latency, p99: Latency }),
  points: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), requests: Type.Integer(), errors: Type.Integer(), p50: Latency, p95: Latency, p99: Latency })),
});

export type DataReports = {
  endpointSeries(tx: Tx, workspaceId: string, options: { prefix: string; from: Date; to: Date; bucketSeconds: number }): Promise<{ points: Array<{ at: string; requests: number; errors: number; p50: number | null; p95: number | null; p99: number | null }>; totals: { requests: number; clientErrors: number; serverErrors: number; p50: number | null; p95: number | null; p99: number | null } }>;
  endpointUsage(tx: Tx, options: { prefix: string; from: Date; to: Date; limit: number }): Promise<Array<{ workspaceId: string; requests: number; errors: number; p95: number | null }>>;
};

export function dataRoutes(ctx: { db: Database; audit: Pick<AuditModule, 'record'>; engine: GraphqlEngine; reports: DataReports }): RoutePlugin {
  // Automatic persisted queries: a query sent with its sha256 is kept (per process, LRU); later
  // requests may send the hash alone. Unknown hash: the client sends the query again (Apollo's flow).
  const known = new Map<string, string>();
  const persisted = {
    /** Kept per workspace: nobody learns from a hit which queries another workspace sends. */
    resolve(workspaceId: string, query: string | undefined, hash: string | undefined): string | { data: null; errors: Array<{ message: string; extensions: { code: string } }> } {
      if (hash) {
        const key = `${workspaceId}:${hash}`;
        if (query !== undefined) {
          if (createHash('sha256').update(query).digest('hex') !== hash) return { data: null, errors: [{ message: 'The query does not match its sha256Hash', extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }] };
          known.delete(key);
          known.set(key, query);
          if (known.size > 5000) known.delete(known.keys().next().value as string);
          return query;
        }
        const kept = known.get(key);
        return kept ?? { data: null, errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] };
      }
      if (query === undefined) throw kernelErrors.create('VALIDATION_FAILED', 'Send query (or a persisted query\'s hash in extensions)');
      return query;
    },
  };
  const callerOf = (p: Principal): GraphqlCaller => ({ workspaceId: p.workspaceId, userId: p.userId, roles: [p.role], canWrite: holdsPermission(p, 'data.write') });
  return async (app) => {
    app.post('/data/graphql', {
      config: { permission: 'data.read' },
      schema: {
        tags, summary: 'The workspace\'s GraphQL API, generated from its tables',
        description: 'Queries need data.read, mutations data.write (403 otherwise). A GraphQL answer is a 200, with `errors` when something was refused (GraphQL over HTTP, application/json). Limits (on by default): depth 10, cost 1,000 rows, pages of 100; a refusal names its limit (extensions.code DEPTH_LIMIT, COST_LIMIT, PAGE_SIZE_LIMIT). A mutation request is one transaction: any error rolls all of it back.',
        body: GraphqlBody, response: { 200: GraphqlResponse },
      },
    }, async (request, reply) => {
      const query = persisted.resolve(request.principal!.workspaceId, request.body.query, request.body.extensions?.persistedQuery.sha256Hash);
      if (typeof query !== 'string') return query;
      const answer = await ctx.engine.run(callerOf(request.principal!), { query, variables: (request.body.variables ?? null) as Record<string, unknown> | null, operationName: request.body.operationName ?? null });
      return reply.code(answer.status as 200).send(answer.body as never);
    });

    app.get('/data/graphql', {
      config: { permission: 'data.read' },
      schema: { tags, summary: 'A GraphQL query by GET (cacheable links, persisted queries by hash); mutations are refused (403: POST them)', querystring: GraphqlQuery, response: { 200: GraphqlResponse } },
    }, async (request, reply) => {
      let variables: Record<string, unknown> | null = null;
      if (request.query.variables !== undefined) {
        try {
          const parsed: unknown = JSON.parse(request.query.variables);
          if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new Error('not an object');
          variables = parsed as Record<string, unknown> | null;
        } catch {
          throw kernelErrors.create('VALIDATION_FAILED', 'variables must be a JSON object');
        }
      }
      let hash: string | undefined;
      if (request.query.extensions !== undefined) {
        let extensions: unknown;
        try {
          extensions = JSON.parse(request.query.extensions);
        } catch {
          throw kernelErrors.create('VALIDATION_FAILED', 'extensions must be JSON');
        }
        const p = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null)?.persistedQuery;
        if (p !== undefined && (p?.version !== 1 || typeof p.sha256Hash !== 'string' || !/^[0-9a-f]{64}$/.test(p.sha256Hash))) throw kernelErrors.create('VALIDATION_FAILED', 'extensions.persistedQuery must be {"version":1,"sha256Hash":"<64 hex>"}');
        hash = p?.sha256Hash as string | undefined;
      }
      const query = persisted.resolve(request.principal!.workspaceId, request.query.query, hash);
      if (typeof query !== 'string') return query;
      const caller = { ...callerOf(request.principal!), canWrite: false, isGet: true };
      const answer = await ctx.engine.run(caller, { query, variables, operationName: request.query.operationName ?? null });
      return reply.code(answer.status as 200).send(answer.body as never);
    });

    app.get('/data/schema.graphql', {
      config: { permission: 'data.read' },
      schema: { tags, summary: 'The workspace\'s GraphQL schema in SDL (what `atrium data gen` reads)', response: { 200: Type.String({ description: 'GraphQL SDL' }) } },
    }, async (request, reply) => {
      const principal = request.principal!;
      const sdl = await ctx.engine.inSchema({ workspaceId: principal.workspaceId, userId: principal.userId, roles: [principal.role] }, async (_tx, shape) => printSchema(shape.schema));
      return reply.type('text/plain; charset=utf-8').send(sdl);
    });

    app.get('/data/tables', {
      config: { permission: 'data.read' },
      schema: { tags, summary: 'The workspace\'s tables: columns, keys, relations, indexes, and their GraphQL names', response: { 200: Tables } },
    }, async (request) => {
      const principal = request.principal!;
      return ctx.engine.inSchema({ workspaceId: principal.workspaceId, userId: principal.userId, roles: [principal.role] }, async (tx, shape, version) => tablesOf(await readCatalog(tx), shape.model, version));
    });

    app.get('/data/metrics', {
      config: { permission: 'data.read' },
      schema: { tags, summary: 'The workspace\'s data-API traffic: requests, errors and latency percentiles per bucket, and the window\'s totals', querystring: RangeQuery, response: { 200: Metrics } },
    }, async (request) => {
      const range = RANGES[request.query.range];
      const to = new Date();
      const from = new Date(to.getTime() - range.ms);
      const workspaceId = request.principal!.workspaceId;
      const report = await ctx.db.withWorkspace(workspaceId, (tx) => ctx.reports.endpointSeries(tx, workspaceId, { prefix: '/api/v1/data/', from, to, bucketSeconds: range.bucket }));
      return { range: request.query.range, from: from.toISOString(), to: to.toISOString(), bucketSeconds: range.bucket, ...report };
    });

    app.get('/admin/data/usage', {
      config: { auth: 'platform-admin' },
      schema: {
        tags: ['admin'], summary: 'Every workspace\'s data-API traffic in a window (platform admins): the 100 busiest, with their tables',
        querystring: RangeQuery,
        response: { 200: Type.Object({ range: Type.String(), data: Type.Array(Type.Object({ workspaceId: Type.String({ format: 'uuid' }), slug: Type.String(), name: Type.String(), requests: Type.Integer(), errors: Type.Integer(), p95: Latency, tables: Type.Integer(), schemaVersion: Type.Union([Type.Integer(), Type.Null()]) })) }) },
      },
    }, async (request) => {
      const range = RANGES[request.query.range];
      const to = new Date();
      const from = new Date(to.getTime() - range.ms);
      const data = await ctx.db.withPlatform(async (tx) => {
        const usage = await ctx.reports.endpointUsage(tx, { prefix: '/api/v1/data/', from, to, limit: 100 });
        const tenants = new Map((await selectTenants(tx)).map((t) => [t.id, t]));
        return usage.filter((u) => tenants.has(u.workspaceId)).map((u) => {
          const t = tenants.get(u.workspaceId)!;
          return { ...u, slug: t.slug, name: t.name, tables: t.tables, schemaVersion: t.version };
        });
      });
      return { range: request.query.range, data };
    });

    app.get('/data/migrations', {
      config: { permission: 'data.read' },
      schema: {
        tags, summary: 'Migrations applied to the workspace\'s data schema, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), beforeVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(Migration) }) },
      },
    }, async (request) => ({ data: (await listMigrations(ctx.db, request.principal!.workspaceId, request.query)).map(migrationOut) }));

    app.post('/data/migrations', {
      config: { permission: 'data_schema.manage' },
      schema: {
        tags, summary: 'Apply a migration to the workspace\'s data schema: create, change and drop tables, columns, indexes and enums',
        description: 'All operations run in one transaction as the workspace\'s data role: all or none. The GraphQL API follows at once, in every API process.',
        body: MigrationBody, response: { 201: Type.Object({ migration: Migration, tables: Tables }), 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (request, reply) => {
      const principal = request.principal!;
      const { migration, catalog } = await applyMigration(ctx, auditContextOf(request), { workspaceId: principal.workspaceId, userId: principal.userId }, request.body);
      ctx.engine.forget(principal.workspaceId);
      return reply.code(201).send({ migration: migrationOut(migration), tables: tablesOf(catalog, modelOf(catalog), migration.version) });
    });
  };
}
