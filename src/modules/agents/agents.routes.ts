// /agents: definitions (draft, publish, versions), chat (JSON or Server-Sent Events), threads,
// runs (cancel), logs (clear: audited), and the tool registry as the caller may use it.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { can } from '../access/index.ts';
import { auditContextOf } from '../audit/index.ts';
import type { AgentsContext } from './agents.context.ts';
import { agentsErrors } from './agents.errors.ts';
import {
  AgentSchema, ChatAnswer, ChatBody, CreateAgentBody, IdParams, LogQuery, LogSchema, MessageSchema, RunParams, RunSchema, ThreadParams, ThreadSchema,
  ToolInfoSchema, UpdateAgentBody, VersionSchema, WebhookAcceptedSchema, WebhookAnswerSchema, WebhookSettingsBody, WebhookSettingsSchema,
} from './agents.schema.ts';
import { waitForRun } from './agent-webhook.ts';
import { getWebhookSettings, putWebhookSettings, removeWebhook, rotateWebhookSecret } from './manage-webhook.ts';
import { selectAgentWebhookMode } from './agents.store.ts';
import { changeAgent, createAgent, publishAgent, removeAgent } from './manage-agents.ts';
import { answerRun } from './answer-run.ts';
import type { Tx } from '../../kernel/db/database.ts';
import {
  agentExists, deleteLogs, selectAgent, selectAgents, selectLogs, selectMessages, selectRun, selectRuns, selectThreads, selectVersions, threadExists, viewOfAgent,
} from './agents.store.ts';

const tags = ['agents'];
const NoContent = Type.Null({ description: 'No content' });

export function agentsRoutes(ctx: AgentsContext): RoutePlugin {
  /** fn in the caller's workspace, once the agent is known to be one of its own (else 404). */
  const inAgent = <T>(principal: Principal, agentId: string, fn: (tx: Tx, ws: string) => Promise<T>) => {
    const ws = principal.workspaceId;
    return ctx.db.withWorkspace(ws, async (tx) => {
      if (!(await agentExists(tx, ws, agentId))) throw agentsErrors.create('AGENT_NOT_FOUND');
      return fn(tx, ws);
    });
  };

  return async (app) => {
    app.get('/agents/tools', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The tool registry and the workspace\'s external MCP servers\' tools (mcp.<server>.<tool>): schemas, permission, whether you may use it, calls since the process started', response: { 200: Type.Object({ data: Type.Array(Type.Object({ ...ToolInfoSchema.properties, calls: Type.Integer(), p50Ms: Type.Union([Type.Integer(), Type.Null()]), p95Ms: Type.Union([Type.Integer(), Type.Null()]), errors: Type.Record(Type.String(), Type.Integer()) })) }) } },
    }, async (request) => {
      const stats = new Map(ctx.tools.stats().map((s) => [s.name, s]));
      // The registry's tools and the workspace's external MCP servers' (their calls are not counted per process: names are the workspace's).
      return {
        data: (await ctx.tools.listFor(request.principal!.workspaceId)).map((t) => ({
          name: t.name, description: t.description, permission: t.permission, isMutating: t.isMutating, isIdempotent: t.isIdempotent, timeoutMs: t.timeoutMs,
          inputSchema: t.inputSchema, outputSchema: t.outputSchema, isAllowed: can(request.principal!, t.permission),
          calls: stats.get(t.name)?.calls ?? 0, p50Ms: stats.get(t.name)?.p50Ms ?? null, p95Ms: stats.get(t.name)?.p95Ms ?? null, errors: stats.get(t.name)?.errors ?? {},
        })),
      };
    });

    app.get('/agents', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The workspace\'s agents', response: { 200: Type.Object({ data: Type.Array(AgentSchema) }) } },
    }, async (request) => ({ data: (await ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => selectAgents(tx, request.principal!.workspaceId))).map(viewOfAgent) }));

    app.post('/agents', {
      config: { permission: 'agent.manage' },
      schema: { tags, summary: 'Create an agent (its first draft; publish it to run it)', body: CreateAgentBody, response: { 201: AgentSchema, 403: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema } },
    }, async (request, reply) => reply.code(201).send(await createAgent(ctx, request.principal!, auditContextOf(request), request.body)));

    app.get('/agents/:id', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'An agent: its draft and published version', params: IdParams, response: { 200: AgentSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const agent = await ctx.db.withWorkspace(ws, (tx) => selectAgent(tx, ws, request.params.id));
      if (!agent) throw agentsErrors.create('AGENT_NOT_FOUND');
      return viewOfAgent(agent);
    });

    app.patch('/agents/:id', {
      config: { permission: 'agent.manage' },
      schema: { tags, summary: 'Edit the agent: name, description, service role, and its draft (publish to make it live)', params: IdParams, body: UpdateAgentBody, response: { 200: AgentSchema, 403: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema } },
    }, async (request) => changeAgent(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.delete('/agents/:id', {
      config: { permission: 'agent.manage' },
      schema: { tags, summary: 'Delete the agent with its versions, conversations, runs, logs and memories', params: IdParams, response: { 204: NoContent } },
    }, async (request, reply) => {
      await removeAgent(ctx, request.principal!, auditContextOf(request), request.params.id);
      return reply.code(204).send(null);
    });

    app.post('/agents/:id/publish', {
      config: { permission: 'agent.manage' },
      schema: { tags, summary: 'Publish the draft as the next version: chats and triggers run it from now on', params: IdParams, response: { 200: AgentSchema, 422: ProblemSchema } },
    }, async (request) => publishAgent(ctx, request.principal!, auditContextOf(request), request.params.id));

    app.get('/agents/:id/versions', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'Published versions, newest first', params: IdParams, response: { 200: Type.Object({ data: Type.Array(VersionSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, async (tx) => {
        if (!(await selectAgent(tx, ws, request.params.id))) throw agentsErrors.create('AGENT_NOT_FOUND');
        return { data: await selectVersions(tx, ws, request.params.id) };
      });
    });

    app.post('/agents/:id/chat', {
      config: { permission: 'agent.run' },
      schema: {
        tags, summary: 'Send a message: the agent answers, calling its tools as you (your permissions) until a final answer or a limit',
        description: 'With `stream: true` the answer is Server-Sent Events: `run`, `memory_recall`, `token`, `tool_call`, `tool_result`, `message`, `done` (the run record). A client that leaves cancels the run.',
        params: IdParams, body: ChatBody, response: { 200: ChatAnswer, 409: ProblemSchema },
      },
    }, async (request, reply) => {
      const principal = request.principal!;
      const agentId = request.params.id;
      // The published version (or the draft for those who may edit the agent), from this process's
      // cache when it has it: the run checks it in its opening transaction and reloads it if it changed.
      const definition = await ctx.definitions.get(principal, agentId, request.body);
      const input = { agentId, ...definition, principal, trigger: 'chat' as const, threadId: request.body.threadId ?? null, message: request.body.message };
      return answerRun(ctx, request, reply, input, request.body.stream === true);
    });

    app.get('/agents/:id/threads', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The agent\'s conversations, most recent first', params: IdParams, response: { 200: Type.Object({ data: Type.Array(ThreadSchema) }) } },
    }, async (request) => ({ data: await inAgent(request.principal!, request.params.id, (tx, ws) => selectThreads(tx, ws, request.params.id)) }));

    app.get('/agents/:id/threads/:threadId', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'A conversation\'s messages (the last 200), oldest first', params: ThreadParams, response: { 200: Type.Object({ data: Type.Array(MessageSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, async (tx) => {
        if (!(await threadExists(tx, ws, request.params.id, request.params.threadId))) throw agentsErrors.create('THREAD_NOT_FOUND');
        const rows = await selectMessages(tx, ws, request.params.threadId, 200);
        return { data: rows.map((m) => ({ id: m.id, role: m.role, content: m.content, runId: m.run_id, toolCalls: m.tool_calls, toolCallId: m.tool_call_id, createdAt: m.created_at.toISOString() })) };
      });
    });

    app.get('/agents/:id/runs', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The agent\'s runs, newest first (the last 100)', params: IdParams, response: { 200: Type.Object({ data: Type.Array(RunSchema) }) } },
    }, async (request) => ({ data: await inAgent(request.principal!, request.params.id, (tx, ws) => selectRuns(tx, ws, request.params.id, 100)) }));

    app.get('/agents/:id/runs/:runId', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'One run: each step, tokens, cost, latency, error', params: RunParams, response: { 200: RunSchema } },
    }, async (request) => {
      const run = await ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => selectRun(tx, request.principal!.workspaceId, request.params.id, request.params.runId));
      if (!run) throw agentsErrors.create('RUN_NOT_FOUND');
      return run;
    });

    app.post('/agents/:id/runs/:runId/cancel', {
      config: { permission: 'agent.run' },
      schema: { tags, summary: 'Cancel a run in flight (the model call is stopped and metered for what it produced)', params: RunParams, response: { 202: Type.Object({ runId: Type.String(), status: Type.Literal('cancelling') }), 409: ProblemSchema } },
    }, async (request, reply) => {
      const run = await ctx.db.withWorkspace(request.principal!.workspaceId, (tx) => selectRun(tx, request.principal!.workspaceId, request.params.id, request.params.runId));
      if (!run) throw agentsErrors.create('RUN_NOT_FOUND');
      const controller = ctx.running.get(run.id);
      if (run.status !== 'running' || !controller) throw agentsErrors.create('RUN_NOT_RUNNING', `The run is ${run.status === 'running' ? 'running on another process' : run.status}`);
      controller.abort();
      return reply.code(202).send({ runId: run.id, status: 'cancelling' as const });
    });

    app.get('/agents/:id/webhook', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The agent\'s webhook: its URL, mode, wait, callback (never the secrets)', params: IdParams, response: { 200: WebhookSettingsSchema } },
    }, async (request) => getWebhookSettings(ctx, request.principal!, request.params.id));

    app.put('/agents/:id/webhook', {
      config: { permission: 'agent.manage' },
      schema: {
        tags, summary: 'Set up the agent\'s webhook (created with its secret, shown once), its mode, wait and callback URL (audited)',
        params: IdParams, body: WebhookSettingsBody, response: { 200: WebhookSettingsSchema, 422: ProblemSchema },
      },
    }, async (request) => putWebhookSettings(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.delete('/agents/:id/webhook', {
      config: { permission: 'agent.manage' },
      schema: { tags, summary: 'Remove the agent\'s webhook and callback, with their stored deliveries (audited)', params: IdParams, response: { 204: NoContent } },
    }, async (request, reply) => {
      await removeWebhook(ctx, request.principal!, auditContextOf(request), request.params.id);
      return reply.code(204).send(null);
    });

    app.post('/agents/:id/webhook/rotate-secret', {
      config: { permission: 'agent.manage' },
      schema: {
        tags, summary: 'A new webhook secret (shown once); the old one keeps verifying for the grace period (audited)', params: IdParams,
        body: Type.Object({ previousSecretValidForSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 86_400 })) }, { additionalProperties: false }),
        response: { 200: WebhookSettingsSchema },
      },
    }, async (request) => rotateWebhookSecret(ctx, request.principal!, auditContextOf(request), request.params.id, request.body?.previousSecretValidForSeconds ?? 86_400));

    // Deliveries: public, the Standard Webhooks signature is the authentication; the exact bytes.
    const deliveries: RoutePlugin = async (hooks) => {
      hooks.removeAllContentTypeParsers();
      hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      hooks.post('/agents/:id/webhook', {
        config: { auth: 'public' },
        schema: {
          tags, security: [],
          summary: 'Deliver a webhook to the agent (Standard Webhooks signed): the payload is given to the agent, which runs as its service identity',
          description: 'Headers `webhook-id`, `webhook-timestamp`, `webhook-signature` as for `/hooks/:id`, with the agent\'s secret. A repeated `webhook-id` never starts a second run: it gets the first answer. Sync mode: 200 with the answer, or 202 with the run id when the run outlasts the wait (never a silent timeout). Async mode: 202 at once; the answer goes to the callback URL.',
          params: IdParams, body: Type.Unknown({ description: 'Any payload (JSON usually), signed as received' }),
          response: { 200: WebhookAnswerSchema, 202: WebhookAcceptedSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema, 413: ProblemSchema, 422: ProblemSchema },
        },
      }, async (request, reply) => {
        if (!ctx.webhooks) throw agentsErrors.create('AGENT_WEBHOOK_NOT_SET');
        const answer = await ctx.webhooks.receive({
          endpointId: request.params.id, headers: request.headers, body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          requestId: request.id, instance: request.url.split('?')[0], door: 'agent',
        });
        if (answer.isDuplicate) reply.header('webhook-duplicate', 'true');
        if (answer.status >= 400) return reply.code(answer.status as 401).type('application/problem+json').send(answer.body as never);
        const accepted = answer.body as { deliveryId: string; runId?: string | null };
        const runId = accepted.runId ?? null;
        const ws = answer.workspaceId!;
        const settings = runId ? await ctx.db.withWorkspace(ws, async (tx) => {
          const mode = await selectAgentWebhookMode(tx, ws, request.params.id);
          return mode ? { ...mode, hasCallback: await ctx.webhooks!.hasCallback(tx, ws, request.params.id) } : null;
        }) : null;
        const statusUrl = runId ? `/api/v1/agents/${request.params.id}/runs/${runId}` : null;
        const answerTo = settings?.hasCallback ? 'callback' as const : 'status_url' as const;
        if (!runId || !settings || settings.mode === 'async' || settings.waitMs === 0) {
          return reply.code(202).send({ deliveryId: accepted.deliveryId, runId, status: 'accepted', statusUrl, answerTo });
        }
        const outcome = await waitForRun(ctx, ws, runId, settings.waitMs);
        if (!outcome) return reply.code(202).send({ deliveryId: accepted.deliveryId, runId, status: 'running', statusUrl, answerTo });
        return reply.code(200).send({ deliveryId: accepted.deliveryId, runId, status: outcome.status, message: outcome.message, error: outcome.error });
      });
    };
    await app.register(deliveries);

    app.get('/agents/:id/logs', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The agent\'s log, newest first; `after` returns only newer entries (live tail)', params: IdParams, querystring: LogQuery, response: { 200: Type.Object({ data: Type.Array(LogSchema) }) } },
    }, async (request) => ({ data: await inAgent(request.principal!, request.params.id, (tx, ws) => selectLogs(tx, ws, request.params.id, { ...request.query, limit: request.query.limit ?? 100 })) }));

    app.delete('/agents/:id/logs', {
      config: { permission: 'agent.manage' },
      schema: { tags, summary: 'Clear the agent\'s log (audited)', params: IdParams, response: { 200: Type.Object({ deleted: Type.Integer() }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, async (tx) => {
        if (!(await selectAgent(tx, ws, request.params.id))) throw agentsErrors.create('AGENT_NOT_FOUND');
        const deleted = await deleteLogs(tx, ws, request.params.id);
        await ctx.audit.record(tx, auditContextOf(request), { workspaceId: ws, action: 'agent.logs_cleared', targetType: 'agent', targetId: request.params.id, diff: { before: { entries: deleted }, after: { entries: 0 } } });
        return { deleted };
      });
    });
  };
}
