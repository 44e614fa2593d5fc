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
import type { MemoryContext } from './memory.context.ts';
import { memoryErrors } from './memory.errors.ts';
import { editMemory, embedQuery, forgetMemory, listMemoryPage, memoryQuota, recall, tagsOf } from './manage-memories.ts';
import { remember } from './remember.ts';
import { listMemories, viewOfMemory } from './memory.store.ts';
import {
  AgentIdParams, ListMemoriesQuery, MemoryIdParams, MemoryQuotaSchema, MemorySchema, RecallQuery, RecalledSchema, RememberAnswer, RememberBody, UpdateMemoryBody,
} from './memory.schema.ts';

const tags = ['memory'];
const Page = Type.Object({ data: Type.Array(MemorySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const NoContent = Type.Null({ description: 'No content' });

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
        params: AgentIdParams, body: RememberBody, response: { 200: RememberAnswer, 201: RememberAnswer, 422: ProblemSchema, 429: ProblemSchema },
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
        params: AgentIdParams, querystring: RecallQuery, response: { 200: Type.Object({ data: Type.Array(RecalledSchema) }) },
      },
    }, async (request) => {
      const vector = await embedQuery(ctx, request.principal!.workspaceId, request.query.query);
      return { data: await inAgent(request.principal!, request.params.id, (tx, ws) => recall(tx, ws, { kind: 'agent', agentId: request.params.id }, { query: request.query.query, limit: request.query.limit, tags: tagsOf(request.query.tags), vector })) };
    });

    app.get('/agents/:id/memories', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'The agent\'s own memories, newest first (search: full-text; tags: all of them)', params: AgentIdParams, querystring: Type.Omit(ListMemoriesQuery, ['agentId']), response: { 200: Page } },
    }, async (request) => inAgent(request.principal!, request.params.id, (tx, ws) => listMemoryPage(tx, ws, request.query, request.params.id)));

    app.get('/memories', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'Every memory of the workspace, newest first: one agent\'s (agentId), the shared ones (agentId=shared) or all', querystring: ListMemoriesQuery, response: { 200: Page } },
    }, async (request) => ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => listMemoryPage(tx, request.principal!.workspaceId, request.query)));

    app.post('/memories', {
      config: { permission: 'memory.write' },
      schema: { tags, summary: 'Remember something for every agent of the workspace (shared)', body: Type.Omit(RememberBody, ['isShared']), response: { 200: RememberAnswer, 201: RememberAnswer, 422: ProblemSchema, 429: ProblemSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      const result = await ctx.db.withWorkspace(ws, (tx) => remember(ctx, tx, ws, null, request.body, request.principal!.userId));
      return reply.code(result.isMerged ? 200 : 201).send(result);
    });

    app.get('/memories/recall', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'The workspace\'s shared memories closest to a query', querystring: RecallQuery, response: { 200: Type.Object({ data: Type.Array(RecalledSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const vector = await embedQuery(ctx, ws, request.query.query);
      return { data: await ctx.db.withWorkspace(ws, (tx) => recall(tx, ws, { kind: 'shared' }, { query: request.query.query, limit: request.query.limit, tags: tagsOf(request.query.tags), vector })) };
    });

    app.get('/memories/quota', {
      config: { permission: 'memory.read' },
      schema: { tags, summary: 'Memories and bytes used against the plan\'s limits, for the workspace and each agent that has some', response: { 200: MemoryQuotaSchema } },
    }, async (request) => ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => memoryQuota(tx, request.principal!.workspaceId)));

    app.get('/memories/export', {
      config: { permission: 'memory.read' },
      schema: {
        tags, summary: 'Every memory of the workspace as JSON lines, streamed (newest first)',
        response: { 200: { description: 'One memory per line', content: { 'application/x-ndjson': { schema: Type.String() } } } },
      },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
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
      schema: { tags, summary: 'Edit a memory: text, tags, metadata, expiry', params: MemoryIdParams, body: UpdateMemoryBody, response: { 200: MemorySchema, 422: ProblemSchema, 429: ProblemSchema } },
    }, async (request) => ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => editMemory(ctx, tx, request.principal!.workspaceId, request.params.id, request.body)));

    app.delete('/memories/:id', {
      config: { permission: 'memory.write' },
      schema: { tags, summary: 'Forget a memory (audited)', params: MemoryIdParams, response: { 204: NoContent } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, async (tx) => {
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
