// Memory routes: an agent's (/agents/:id/remember, /recall, /memories) and the workspace's
// (/memories: every memory with filters, shared ones added and recalled, edit, delete, export,
// quota). Recall never calls an LLM; with an embedding model it embeds the query first (one
// gateway call, before the transaction; a failure leaves recall lexical).
import { Readable } from 'node:stream';
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { auditContextOf } from '../audit/index.ts';
import { SecretName as SecretNameSchema } from '../secrets/index.ts';
import type { MemoryContext } from './memory.context.ts';
import { memoryErrors } from './memory.errors.ts';
import { editMemory, embedQuery, forgetMemory, listMemoryPage, memoryQuota, recall, tagsOf } from './manage-memories.ts';
import { remember } from './remember.ts';
import { checkSpace, configureSpace, getSpace, refuseIfExternal } from './memory-space.ts';
import { listMemories, viewOfMemory } from './memory.store.ts';
import {
  AgentIdParams, ListMemoriesQuery, MemoryIdParams, MemoryQuotaSchema, MemorySchema, RecallQuery, RecalledSchema, RememberAnswer, RememberBody, UpdateMemoryBody,
} from './memory.schema.ts';

const tags = ['memory'];
const Page = Type.Object({ data: Type.Array(MemorySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const NoContent = Type.Null({ description: 'No content' });
const SpaceSchema = Type.Object({
  provider: Type.Union([Type.Literal('builtin'), Type.Literal('mem0')]), projectId: Type.String(),
  baseUrl: Type.Union([Type.String(), Type.Null()]), orgId: Type.Union([Type.String(), Type.Null()]), secretName: Type.Union([Type.String(), Type.Null()], { description: 'The vault secret holding the access key (never its value)' }),
  status: Type.Union([Type.Literal('connected'), Type.Literal('disconnected')]), lastError: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Type.String({ format: 'date-time' }), createdAt: Type.String({ format: 'date-time' }),
});
// One object (not a union: a mistake is named by its field, not "must match a schema in anyOf");
// what mem0 needs is checked by the use-case.
const SpaceBody = Type.Object({
  provider: Type.Union([Type.Literal('builtin'), Type.Literal('mem0')]),
  baseUrl: Type.Optional(Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'mem0: the provider\'s API, e.g. https://api.mem0.ai' })),
  orgId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:-]+$', description: 'mem0: the organisation the project is created in' })),
  secretName: Type.Optional(SecretNameSchema),
  projectName: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\p{L}\\p{N} _.-]+$', description: 'mem0: the project\'s name (default atrium-<workspace slug>)' })),
}, { additionalProperties: false });

export function memoryRoutes(ctx: MemoryContext): RoutePlugin {
  const inAgent = <T>(principal: Principal, agentId: string, fn: (tx: Tx, ws: string) => Promise<T>) => {
    const ws = principal.workspaceId;
    return ctx.db.withWorkspace(ws, async (tx) => {
      if (!(await ctx.agentExists(tx, ws, agentId))) throw memoryErrors.create('MEMORY_AGENT_NOT_FOUND', 'No such agent in this workspace');
      return fn(tx, ws);
    });
  };

  return async (app) => {
    app.post('/agents/:id/remember', {
      config: { permission: 'memory.write' },
      schema: {
        tags, summary: 'Remember something for this agent (or, with isShared, for every agent of the workspace); the same memory (same words, whatever the case and punctuation) is updated instead (200, isMerged)',
        params: AgentIdParams, body: RememberBody, response: { 200: RememberAnswer, 201: RememberAnswer, 422: ProblemSchema, 429: ProblemSchema, 502: ProblemSchema },
      },
    }, async (request, reply) => {
      const { isShared, ...input } = request.body;
      const result = await inAgent(request.principal!, request.params.id, (tx, ws) => remember(ctx, tx, ws, isShared ? null : request.params.id, input, request.principal!.userId));
      return reply.code(result.isMerged ? 200 : 201).send(result);
    });

    app.get('/agents/:id/recall', {
      config: { permission: 'memory.read' },
      schema: {
        tags, summary: 'The agent\'s memories (its own and the workspace\'s shared ones) closest to a query: full-text and trigram, fused, and by meaning when the workspace names an embedding model; no LLM on the path',
        params: AgentIdParams, querystring: RecallQuery, response: { 200: Type.Object({ data: Type.Array(RecalledSchema) }), 502: ProblemSchema },
      },
    }, async (request) => {
      const vector = await embedQuery(ctx, request.principal!.workspaceId, request.query.query);
      return { data: await inAgent(request.principal!, request.params.id, (tx, ws) => recall(ctx, tx, ws, { kind: 'agent', agentId: request.params.id }, { query: request.query.query, limit: request.query.limit, tags: tagsOf(request.query.tags), vector })) };
    });

    app.get('/agents/:id/memories', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'The agent\'s own memories, newest first (search: full-text; tags: all of them)', params: AgentIdParams, querystring: Type.Omit(ListMemoriesQuery, ['agentId']), response: { 200: Page, 409: ProblemSchema } },
    }, async (request) => inAgent(request.principal!, request.params.id, async (tx, ws) => {
      await refuseIfExternal(ctx, tx, ws);
      return listMemoryPage(tx, ws, request.query, request.params.id);
    }));

    app.get('/memories', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'Every memory of the workspace, newest first: one agent\'s (agentId), the shared ones (agentId=shared) or all', querystring: ListMemoriesQuery, response: { 200: Page, 409: ProblemSchema } },
    }, async (request) => ctx.db.withWorkspace(request.principal!.workspaceId, async (tx) => {
      await refuseIfExternal(ctx, tx, request.principal!.workspaceId);
      return listMemoryPage(tx, request.principal!.workspaceId, request.query);
    }));

    app.post('/memories', {
      config: { permission: 'memory.write' },
      schema: { tags, summary: 'Remember something for every agent of the workspace (shared)', body: Type.Omit(RememberBody, ['isShared']), response: { 200: RememberAnswer, 201: RememberAnswer, 422: ProblemSchema, 429: ProblemSchema, 502: ProblemSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      const result = await ctx.db.withWorkspace(ws, (tx) => remember(ctx, tx, ws, null, request.body, request.principal!.userId));
      return reply.code(result.isMerged ? 200 : 201).send(result);
    });

    app.get('/memories/recall', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'The workspace\'s shared memories closest to a query', querystring: RecallQuery, response: { 200: Type.Object({ data: Type.Array(RecalledSchema) }), 502: ProblemSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const vector = await embedQuery(ctx, ws, request.query.query);
      return { data: await ctx.db.withWorkspace(ws, (tx) => recall(ctx, tx, ws, { kind: 'shared' }, { query: request.query.query, limit: request.query.limit, tags: tagsOf(request.query.tags), vector })) };
    });

    app.get('/memories/space', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'Where the workspace\'s memory lives: the built-in provider or a Mem0 project, and whether it answered at the last check', response: { 200: SpaceSchema } },
    }, async (request) => getSpace(ctx, request.principal!.workspaceId));

    app.put('/memories/space', {
      config: { permission: 'workspace.update' },
      schema: {
        tags, summary: 'Move the workspace\'s memory: to the built-in provider, or to a new project of a Mem0-compatible provider (created now through its API; the access key by vault name)',
        description: 'Memories are not copied between providers. With Mem0, remember and recall go to the project (agent memories under agent_id = the agent\'s id, shared ones under agent_id = "workspace"); list, edit, delete and export happen at the provider (409 MEMORY_EXTERNAL here).',
        body: SpaceBody, response: { 200: SpaceSchema, 422: ProblemSchema },
      },
    }, async (request) => configureSpace(ctx, auditContextOf(request), request.principal!.workspaceId, request.body));

    app.post('/memories/space/check', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'Reach the memory provider now and record whether it answered (connected / disconnected, with the reason)', response: { 200: SpaceSchema } },
    }, async (request) => checkSpace(ctx, request.principal!.workspaceId));

    app.get('/memories/quota', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'Memories and bytes used against the plan\'s limits, for the workspace and each agent that has some', response: { 200: MemoryQuotaSchema } },
    }, async (request) => ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => memoryQuota(tx, request.principal!.workspaceId)));

    app.get('/memories/export', {
      config: { permission: 'memory.read' },
      schema: {
        tags, summary: 'Every memory of the workspace as JSON lines, streamed (newest first)',
        response: { 200: { description: 'One memory per line', content: { 'application/x-ndjson': { schema: Type.String() } } }, 409: ProblemSchema },
      },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, (tx) => refuseIfExternal(ctx, tx, ws));
      async function* lines(): AsyncGenerator<string> {
        let before: string | undefined;
        for (;;) {
          const rows = await ctx.db.withWorkspace(ws, (tx) => listMemories(tx, ws, { tags: [], limit: 1000, before }));
          const page = rows.slice(0, 1000);
          if (page.length) yield page.map((r) => `${JSON.stringify(viewOfMemory(r))}\n`).join('');
          if (rows.length <= 1000) return;
          before = page[page.length - 1].id;
        }
      }
      reply.header('content-type', 'application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="memories-${new Date().toISOString().slice(0, 10)}.jsonl"`);
      return reply.send(Readable.from(lines()) as unknown as string);
    });

    app.patch('/memories/:id', {
      config: { permission: 'memory.write' },
      schema: { tags, summary: 'Edit a memory: text, tags, metadata, expiry', params: MemoryIdParams, body: UpdateMemoryBody, response: { 200: MemorySchema, 409: ProblemSchema, 422: ProblemSchema, 429: ProblemSchema } },
    }, async (request) => ctx.db.withWorkspace(request.principal!.workspaceId, async (tx) => {
      await refuseIfExternal(ctx, tx, request.principal!.workspaceId);
      return editMemory(ctx, tx, request.principal!.workspaceId, request.params.id, request.body);
    }));

    app.delete('/memories/:id', {
      config: { permission: 'memory.write' },
      schema: { tags, summary: 'Forget a memory (audited)', params: MemoryIdParams, response: { 204: NoContent, 409: ProblemSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, async (tx) => {
        await refuseIfExternal(ctx, tx, ws);
        const gone = await forgetMemory(tx, ws, request.params.id);
        await ctx.audit.record(tx, auditContextOf(request), {
          workspaceId: ws, action: 'memory.deleted', targetType: 'memory', targetId: gone.id,
          diff: { before: { agentId: gone.agentId, tags: gone.tags, bytes: gone.bytes }, after: null },
        });
      });
      return reply.code(204).send(null);
    });
  };
}
