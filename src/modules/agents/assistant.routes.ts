// The console assistant (brief 004 V3.1): a chat available on every console page that acts
// through the tool registry as the signed-in user — the same `can()` decides, so a viewer's
// assistant cannot invite anyone — and stops before any tool that changes data until the user
// approves it (`confirm_required`, then `POST /assistant/chat` with `confirm`). It is the
// workspace's agent of kind 'assistant' (created on first use): its model calls are metered and
// budgeted like any agent's, each tool's write is audited as the user "through the assistant".
// Conversations are the user's own.
import { Type } from '@fastify/type-provider-typebox';
import type { Static } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { can } from '../access/index.ts';
import type { AgentsContext } from './agents.context.ts';
import { agentsErrors } from './agents.errors.ts';
import { ChatAnswer, MessageSchema, ThreadSchema } from './agents.schema.ts';
import type { AgentConfig } from './agents.schema.ts';
import { ensureAssistant, findAssistant, ownThreadExists, selectMessages, selectOwnThreads } from './agents.store.ts';
import { answerRun } from './answer-run.ts';

const tags = ['assistant'];
const Uuid = Type.String({ format: 'uuid' });

const AssistantChatBody = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 200, description: 'An alias or provider/model the workspace may call' }),
  message: Type.Optional(Type.String({ minLength: 1, maxLength: 20_000 })),
  threadId: Type.Optional(Uuid),
  confirm: Type.Optional(Type.Object({
    callId: Type.String({ minLength: 1, maxLength: 200 }),
    approve: Type.Boolean(),
  }, { additionalProperties: false, description: 'Resume the conversation (threadId) after a `confirm_required`: run the action, or decline it' })),
  stream: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
type AssistantChat = Static<typeof AssistantChatBody>;

const PROMPT = `You are the assistant of Atrium's console. You act for the signed-in user, with exactly their permissions: use the tools to look things up (members, workflows and their executions, support tickets, usage and quotas, memory) or to act (invite someone, run a workflow, open a ticket). Before any change, the console asks the user to approve it; if they decline, say so and do not retry. Answer briefly and concretely; if a tool refuses, explain why in plain words.`;

/** The assistant's configuration for this user: every tool the user may use (the registry's and the workspace's MCP servers'). */
async function configFor(ctx: AgentsContext, principal: Principal, model: string): Promise<AgentConfig> {
  return {
    model, systemPrompt: PROMPT,
    tools: (await ctx.tools.listFor(principal.workspaceId)).filter((t) => !t.name.startsWith('test.') && can(principal, t.permission)).map((t) => t.name),
    memory: { mode: 'off', topK: 5, tags: [] },
    limits: { maxSteps: 8, maxTokensPerRun: 60_000, runTimeoutMs: 120_000 },
  } as AgentConfig;
}

export function assistantRoutes(ctx: AgentsContext): RoutePlugin {
  return async (app) => {
    app.post('/assistant/chat', {
      config: { auth: 'session', permission: 'agent.read' },
      schema: {
        tags, summary: 'Chat with the console assistant: it acts as you through the tool registry and asks before any change',
        description: 'Send `message` (a new conversation, or `threadId` to go on), or `confirm` with `threadId` after a `confirm_required` event. With `stream: true`: Server-Sent Events `run`, `token`, `tool_call`, `confirm_required`, `tool_result`, `message`, `done`. A run that stops for a confirmation ends with status `awaiting_confirmation`.',
        body: AssistantChatBody, response: { 200: ChatAnswer, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (request, reply) => {
      const principal = request.principal!;
      const body: AssistantChat = request.body;
      if ((body.message === undefined) === (body.confirm === undefined)) throw agentsErrors.create('ASSISTANT_INPUT_INVALID', 'Send either a message or a confirmation');
      if (body.confirm && !body.threadId) throw agentsErrors.create('ASSISTANT_INPUT_INVALID', 'A confirmation names its conversation (threadId)');
      const ws = principal.workspaceId;
      // A model the workspace cannot call is the caller's to fix (404/403 problem), not a failed run.
      await ctx.llm.checkModel(ws, body.model);
      const config = await configFor(ctx, principal, body.model);
      const assistantId = await ctx.db.withWorkspace(ws, async (tx) => {
        const id = await ensureAssistant(tx, ws, config);
        if (body.threadId && !(await ownThreadExists(tx, ws, id, body.threadId, principal.userId!))) throw agentsErrors.create('THREAD_NOT_FOUND');
        return id;
      });
      const input = {
        agentId: assistantId, version: null, config, principal, trigger: 'chat' as const, threadId: body.threadId ?? null,
        message: body.message ?? null, confirmMutating: true, via: 'assistant' as const,
        ...(body.confirm ? { decisions: { [body.confirm.callId]: body.confirm.approve } } : {}),
      };
      return answerRun(ctx, request, reply, input, body.stream === true);
    });

    app.get('/assistant/threads', {
      config: { auth: 'session', permission: 'agent.read' },
      schema: { tags, summary: 'Your conversations with the assistant, most recent first', response: { 200: Type.Object({ data: Type.Array(ThreadSchema) }) } },
    }, async (request) => {
      const p = request.principal!;
      return ctx.db.withWorkspace(p.workspaceId, async (tx) => {
        const id = await findAssistant(tx, p.workspaceId);
        return { data: id ? await selectOwnThreads(tx, p.workspaceId, id, p.userId!) : [] };
      });
    });

    app.get('/assistant/threads/:threadId', {
      config: { auth: 'session', permission: 'agent.read' },
      schema: { tags, summary: 'One of your conversations with the assistant (the last 200 messages)', params: Type.Object({ threadId: Uuid }), response: { 200: Type.Object({ data: Type.Array(MessageSchema) }), 404: ProblemSchema } },
    }, async (request) => {
      const p = request.principal!;
      return ctx.db.withWorkspace(p.workspaceId, async (tx) => {
        const id = await findAssistant(tx, p.workspaceId);
        if (!id || !(await ownThreadExists(tx, p.workspaceId, id, request.params.threadId, p.userId!))) throw agentsErrors.create('THREAD_NOT_FOUND');
        const rows = await selectMessages(tx, p.workspaceId, request.params.threadId, 200);
        return { data: rows.map((m) => ({ id: m.id, role: m.role, content: m.content, runId: m.run_id, toolCalls: m.tool_calls, toolCallId: m.tool_call_id, createdAt: m.created_at.toISOString() })) };
      });
    });
  };
}
