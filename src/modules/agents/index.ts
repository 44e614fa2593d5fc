// The agents module's door: agents (versioned definitions), their runtime (runAgent: model
// calls through the gateway, tools from the registry, memory recall), threads, runs and logs.
// Owns agents, agent_versions, agent_threads, agent_runs, agent_messages, agent_logs.
import { EventEmitter } from 'node:events';
import type { Registry } from 'prom-client';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { AgentInboundTrigger } from '../webhooks/index.ts';
import { queueWebhookRun, RUN_QUEUE, webhookRunJob } from './agent-webhook.ts';
import { applyAgentLogRetention, defineAgentsRetentionJob, scheduleAgentsRetention } from './agents-retention.job.ts';
import type { WebhookRunPayload } from './agent-webhook.ts';
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditModule } from '../audit/index.ts';
import type { LlmModule } from '../llm/index.ts';
import type { MemoryModule } from '../memory/index.ts';
import type { AgentsContext, AgentWebhooksPort } from './agents.context.ts';
import { agentsRoutes } from './agents.routes.ts';
import { assistantRoutes } from './assistant.routes.ts';
import { agentExists } from './agents.store.ts';
import { runAgent } from './run-agent.ts';
import { createChatDefinitions } from './chat-definitions.ts';
import type { RunInput } from './run-agent.ts';
import { createToolRegistry } from './tools/registry.ts';
import { aiStepTypes } from './workflow-steps.ts';
import type { ToolDefinition } from './tools/registry.ts';
import { registerBuiltinTools } from './tools/builtin-tools.ts';
import type { BuiltinToolPorts } from './tools/builtin-tools.ts';
import type { BusinessToolPorts } from './tools/business-tools.ts';
import type { HttpToolPorts } from './tools/http-tools.ts';
export { HTTP_SECRET_HOSTS_SETTING } from './tools/http-tools.ts';

export type { ToolDefinition, ToolContext, ToolOutcome, ToolSource } from './tools/registry.ts';
export { explainedToolError } from './tools/registry.ts';
export type { RunEvent, RunInput } from './run-agent.ts';
export type { AgentConfig, AgentView, RunView } from './agents.schema.ts';
export { agentsErrors } from './agents.errors.ts';

export function createAgentsModule(
  deps: KernelDeps,
  modules: { audit: Pick<AuditModule, 'record'>; llm: Pick<LlmModule, 'stream' | 'complete' | 'checkModel'>; memory: MemoryModule; jobs: JobEngine; webhooks?: AgentWebhooksPort },
  tools: Omit<BuiltinToolPorts, 'memory'> & { business?: BusinessToolPorts; http?: HttpToolPorts },
) {
  const registry = createToolRegistry();
  registerBuiltinTools(registry, { ...tools, memory: modules.memory });
  const finished = new EventEmitter();
  finished.setMaxListeners(0);
  const ctx: AgentsContext = {
    db: deps.db, log: deps.log, audit: modules.audit, llm: modules.llm, memory: modules.memory, tools: registry, running: new Map(),
    finished, jobs: modules.jobs, webhooks: modules.webhooks ?? null, definitions: createChatDefinitions({ db: deps.db }),
  };
  // Webhook runs: one attempt runs the model; a second (after a crash) only closes the run as interrupted.
  defineAgentsRetentionJob(modules.jobs, deps.db, deps.log);
  modules.jobs.define<WebhookRunPayload>({ name: RUN_QUEUE, handler: webhookRunJob(ctx), concurrency: 20, maxAttempts: 2, timeoutMs: 660_000, backoff: { baseMs: 1_000, maxMs: 10_000 } });
  return {
    routes: (async (app) => {
      await app.register(agentsRoutes(ctx));
      await app.register(assistantRoutes(ctx));
    }) satisfies RoutePlugin,
    /** Is this one of the workspace's agents (in the caller's transaction)? */
    agentExists(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
      return agentExists(tx, workspaceId, id);
    },
    /** The daily retention of agents' logs by plan (idempotent; installed at start, platform path). */
    installSchedules(tx: Tx): Promise<void> {
      return scheduleAgentsRetention(modules.jobs, tx);
    },
    applyLogRetention: (options: { now?: Date } = {}) => applyAgentLogRetention(deps.db, options),
    /** The workflow step types `llm`, `agent` and `tool` (the composition root registers them with the workflows module). */
    workflowSteps() {
      return aiStepTypes(ctx, modules.llm);
    },
    /** Queue the run a delivery to the agent's webhook starts (the webhooks module calls it in the delivery's transaction). */
    queueWebhookRun(tx: Tx, trigger: AgentInboundTrigger): Promise<{ runId: string }> {
      return queueWebhookRun(ctx, tx, trigger);
    },
    /** Run an agent once (workflow steps, webhooks): the run record, the thread, the final answer. */
    run(input: RunInput) {
      return runAgent(ctx, input);
    },
    tools: {
      register<I, O>(def: ToolDefinition<I, O>): void {
        registry.register(def);
      },
      list: () => registry.list(),
      listFor: registry.listFor,
      addSource: registry.addSource,
      invoke: registry.invoke,
    },
    registerMetrics(metrics: Registry): void {
      registry.registerMetrics(metrics);
    },
  };
}

export type AgentsModule = ReturnType<typeof createAgentsModule>;
