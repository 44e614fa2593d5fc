// /data: a workspace's own tables and the GraphQL API generated from them.
//   POST /data/graphql, GET /data/graphql  queries (data.read) and mutations (data.write)
//   GET  /data/schema.graphql             the schema in SDL (for codegen and the CLI)
//   GET  /data/tables                     the tables as the catalog has them
//   GET  /data/migrations, POST /data/migrations   history; apply one (data_schema.manage)
import { Type } from '@fastify/type-provider-typebox';
import { printSchema } from 'graphql';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import { auditContextOf } from '../audit/index.ts';
import { holdsPermission } from '../access/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { AuditModule } from '../audit/index.ts';
import type { GraphqlCaller, GraphqlEngine } from './engine.ts';
import { Operation } from './ddl.ts';
import { applyMigration, listMigrations } from './migrations.ts';
import type { MigrationRow } from './migrations.ts';
import { modelOf, readCatalog } from './model.ts';
import { tablesOf } from './tables.ts';

const tags = ['data'];

const GraphqlBody = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 100_000, description: 'The GraphQL document' }),
  variables: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
  operationName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200, pattern: '^[_A-Za-z][_0-9A-Za-z]*$' }), Type.Null()])),
}, { additionalProperties: false });
const GraphqlQuery = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 8000, description: 'The GraphQL document (queries only: mutations are POSTed)' }),
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
  version: Type.Integer(), name: Type.String(), operations: Type.Array(Type.Unknown()), statements: Type.String({ description: 'The SQL that ran' }),
  checksum: Type.String(), appliedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]), appliedAt: Type.String({ format: 'date-time' }),
});
const MigrationBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$', description: 'What it does (default: from the operations)' })),
  operations: Type.Array(Operation, { minItems: 1, maxItems: 100 }),
  expectedVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Refuse (409) unless the schema is at this version: the editor\'s guard against two people editing at once' })),
}, { additionalProperties: false });

const migrationOut = (m: MigrationRow) => ({ version: m.version, name: m.name, operations: m.operations, statements: m.statements, checksum: m.checksum, appliedBy: m.applied_by, appliedAt: m.applied_at.toISOString() });

export function dataRoutes(ctx: { db: Database; audit: Pick<AuditModule, 'record'>; engine: GraphqlEngine }): RoutePlugin {
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
      const answer = await ctx.engine.run(callerOf(request.principal!), { query: request.body.query, variables: (request.body.variables ?? null) as Record<string, unknown> | null, operationName: request.body.operationName ?? null });
      return reply.code(answer.status as 200).send(answer.body as never);
    });

    app.get('/data/graphql', {
      config: { permission: 'data.read' },
      schema: { tags, summary: 'A GraphQL query by GET (cacheable links); mutations are refused (403: POST them)', querystring: GraphqlQuery, response: { 200: GraphqlResponse } },
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
      const caller = { ...callerOf(request.principal!), canWrite: false, isGet: true };
      const answer = await ctx.engine.run(caller, { query: request.query.query, variables, operationName: request.query.operationName ?? null });
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
