// The AI step types of workflows (issue 13), registered into the workflows module's step registry
// by the composition root: `llm` (one model call through the gateway), `agent` (a run of a
// published agent, as its service identity) and `tool` (one tool of the registry). Every model
// call is metered and budgeted to the workspace (and the agent) like any other; a refusal or a
// failure is a StepError with the gateway's, the run's or the tool's code, so the step's retry
// policy and the execution's error say what happened. Nothing here holds a transaction open.
import { Type } from '@fastify/type-provider-typebox';
import { AppError } from '../../kernel/errors.ts';
import type { LlmModule } from '../llm/index.ts';
import type { StepContext, StepExecutor } from '../workflows/index.ts';
import { StepError } from '../workflows/index.ts';
import type { AgentsContext } from './agents.context.ts';
import type { AgentConfig } from './agents.schema.ts';
import { selectAgent } from './agents.store.ts';
import { servicePrincipal } from './agent-webhook.ts';
import { runAgent } from './run-agent.ts';

const Text = (description: string) => Type.String({ minLength: 1, maxLength: 100_000, description });
const asStepError = (err: unknown): never => {
  if (err instanceof AppError) throw new StepError(err.code, err.detail ?? err.title);
  throw err;
};

async function textOf(ctx: StepContext, field: string): Promise<string> {
  const value = await ctx.resolve(ctx.step[field]);
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  if (!text.trim()) throw new StepError('STEP_INPUT_EMPTY', `${field} resolved to an empty text`);
  return text;
}

export function aiStepTypes(ctx: AgentsContext, llm: Pick<LlmModule, 'complete'>): Record<'llm' | 'agent' | 'tool', StepExecutor> {
  return {
    llm: {
      description: 'One model call through the AI gateway (metered and budgeted to the workspace): the prompt (an expression may build it), optionally a system message; output {text, json?, model, inputTokens, outputTokens, costMicros}',
      schema: Type.Object({
        model: Type.String({ minLength: 1, maxLength: 200, description: 'An alias (`fast`) or provider/model' }),
        prompt: Text('The user message; `=expression` to build it from the input and earlier steps'),
        system: Type.Optional(Text('The system message')),
        maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 200_000 })),
        temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
        json: Type.Optional(Type.Boolean({ description: 'Ask for a JSON object and parse it into `json` (the step fails when it is not JSON)' })),
      }),
      async execute(step) {
        const s = step.step;
        const prompt = await textOf(step, 'prompt');
        const system = s.system === undefined ? null : await textOf(step, 'system');
        const { response, usage } = await llm.complete({
          principal: { workspaceId: step.workspaceId, userId: null, apiKeyId: null, agentId: null },
          request: {
            model: s.model as string,
            messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user' as const, content: prompt }],
            ...(s.maxTokens !== undefined ? { max_tokens: s.maxTokens as number } : {}),
            ...(s.temperature !== undefined ? { temperature: s.temperature as number } : {}),
            ...(s.json ? { response_format: { type: 'json_object' as const } } : {}),
          },
          requestId: step.executionId, apiFormat: 'internal', signal: step.signal,
        }).catch(asStepError);
        const text = typeof response.choices[0]?.message?.content === 'string' ? response.choices[0].message.content : '';
        let json: unknown;
        if (s.json) {
          try {
            json = JSON.parse(text);
          } catch {
            throw new StepError('LLM_OUTPUT_NOT_JSON', `The model did not answer JSON: ${text.slice(0, 200)}`);
          }
        }
        return { text, ...(s.json ? { json } : {}), model: usage.resolvedModel ?? usage.model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costMicros: usage.costMicros };
      },
    },

    agent: {
      description: 'A run of a published agent on a message, as the agent\'s service identity (its tools, memory and limits; metered to the agent): output {runId, status, message, inputTokens, outputTokens, costMicros}',
      schema: Type.Object({
        agentId: Type.String({ format: 'uuid' }),
        message: Text('What the agent is asked; `=expression` to build it'),
      }),
      async execute(step) {
        const ws = step.workspaceId;
        const agentId = step.step.agentId as string;
        const message = await textOf(step, 'message');
        const loaded = await ctx.db.withWorkspace(ws, async (tx) => {
          const agent = await selectAgent(tx, ws, agentId);
          return agent ? { role: agent.service_role, version: agent.published_version, config: agent.published_config as AgentConfig | null } : null;
        });
        if (!loaded) throw new StepError('AGENT_NOT_FOUND', `No agent ${agentId} in this workspace`);
        if (loaded.version === null || !loaded.config) throw new StepError('AGENT_NOT_PUBLISHED', 'Publish the agent first: workflows run its published version');
        const { run, message: answer } = await runAgent(ctx, {
          agentId, version: loaded.version, config: loaded.config, principal: servicePrincipal(ws, loaded.role), trigger: 'workflow',
          threadId: null, message: message.slice(0, 64 * 1024), signal: step.signal,
        }).catch(asStepError);
        if (run.status !== 'completed') throw new StepError(run.error?.code ?? 'AGENT_RUN_FAILED', `Run ${run.id} ${run.status}: ${run.error?.message ?? ''}`);
        return { runId: run.id, status: run.status, message: answer, inputTokens: run.inputTokens, outputTokens: run.outputTokens, costMicros: run.costMicros };
      },
    },

    tool: {
      description: 'One tool of the registry, with the `member` role (what a workflow editor may do at least): its input checked against the tool\'s schema; output the tool\'s output',
      schema: Type.Object({
        tool: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', description: 'A registry name, e.g. `memory.remember`' }),
        arguments: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The tool\'s input; `=expression` strings are resolved' })),
      }),
      validate(step, path) {
        const name = step.tool as string;
        // A workspace's external MCP tools (mcp.<server>.<tool>) are known only when it runs.
        return ctx.tools.get(name) || name.startsWith('mcp.') ? [] : [{ path: `${path}.tool`, message: `unknown tool "${name}" (GET /api/v1/agents/tools lists them)` }];
      },
      async execute(step) {
        const args = await step.resolve(step.step.arguments ?? {});
        const outcome = await ctx.tools.invoke(step.step.tool as string, args, {
          db: ctx.db, principal: servicePrincipal(step.workspaceId, 'member'), workspaceId: step.workspaceId, agentId: null, runId: null, signal: step.signal,
        });
        if (!outcome.ok) throw new StepError(outcome.error.code, outcome.error.message);
        return outcome.output;
      },
    },
  };
}
