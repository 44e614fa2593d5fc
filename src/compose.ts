// The composition root's first half: every module and the ports between them, no HTTP. The
// server (main.ts) adds the HTTP app and the workers on top; the CLI commands use the same graph,
// so a command never runs with a module missing its audit trail or a hook the server has.
//
// Order is the dependency order: a module gets every module it needs as a required constructor
// port (no module builds a fallback of its own); the two links that go both ways (webhooks ⇄
// workflows) are closures over modules built just before.
import type { KernelDeps } from './kernel/module.ts';
import { sharedForget } from './kernel/module.ts';
import { createBus } from './kernel/bus.ts';
import { createJobEngine } from './kernel/jobs/index.ts';
import { RATE_LIMIT_SETTING } from './kernel/http/rate-limit.ts';
import { PRIVATE_NETWORK_SETTING } from './kernel/net/public-address.ts';
import { createMailModule } from './modules/mail/index.ts';
import { createIdentityModule } from './modules/identity/index.ts';
import { createTenancyModule } from './modules/tenancy/index.ts';
import { createOnboardingModule } from './modules/onboarding/index.ts';
import { createAdminModule } from './modules/admin/index.ts';
import { createAuditModule } from './modules/audit/index.ts';
import type { AuditModuleOptions } from './modules/audit/index.ts';
import { createSecretsModule } from './modules/secrets/index.ts';
import { createJobsModule } from './modules/jobs/index.ts';
import { createAccessModule } from './modules/access/index.ts';
import { createWebhooksModule } from './modules/webhooks/index.ts';
import { createWorkflowsModule, secretReferences } from './modules/workflows/index.ts';
import { createRequestsModule } from './modules/requests/index.ts';
import { createSupportModule } from './modules/support/index.ts';
import { createApiLogsModule } from './modules/apilogs/index.ts';
import { createUsageModule, USAGE_EVENT_TYPES } from './modules/usage/index.ts';
import { ALLOWED_MODELS_SETTING, createLlmModule } from './modules/llm/index.ts';
import { createMemoryModule, MEMORY_EMBEDDING_SETTING } from './modules/memory/index.ts';
import { createAgentsModule, HTTP_SECRET_HOSTS_SETTING } from './modules/agents/index.ts';
import type { AgentsModule } from './modules/agents/index.ts';
import { createMcpModule } from './modules/mcp/index.ts';
import { createDataApiModule, DATA_ROWS_SETTING, DATA_TIMEOUT_SETTING } from './modules/data-api/index.ts';

export type ComposeOptions = { audit?: AuditModuleOptions; version?: string };

export function composeModules(kernel: KernelDeps, options: ComposeOptions = {}) {
  // One bus per process: the modules' caches forget a change made by any process (kernel/bus.ts).
  const bus = kernel.bus ?? createBus({ db: kernel.db, log: kernel.log });
  const deps: KernelDeps = { ...kernel, bus };
  const { db } = deps;
  const jobs = createJobEngine(deps);
  const audit = createAuditModule(deps, { ...options.audit, jobs });
  const mail = createMailModule(deps, { jobs });
  const access = createAccessModule(deps, { audit });
  const identity = createIdentityModule(deps, { mail, audit, access, jobs });
  const tenancy = createTenancyModule(deps, { identity, audit });
  tenancy.registerSetting(audit.retentionSetting);
  tenancy.registerSetting(RATE_LIMIT_SETTING);
  tenancy.registerSetting(PRIVATE_NETWORK_SETTING);
  const onboarding = createOnboardingModule(deps, { identity, mail, tenancy, audit });
  const apiLogs = createApiLogsModule(deps, { jobs });
  const secrets = createSecretsModule(deps, { audit, tenancy });
  const jobsAdmin = createJobsModule({ db, jobs, audit });
  const requests = createRequestsModule(deps, { audit });
  const workflows = createWorkflowsModule(deps, { jobs, audit, secrets, tenancy });
  const support = createSupportModule(deps, { audit, executionExists: (tx, workspaceId, id) => workflows.executionExists(tx, workspaceId, id) });
  const webhooks = createWebhooksModule(deps, { jobs, audit, mail, identity, tenancy }, {
    workflowExists: (tx, workspaceId, workflowId) => workflows.workflowExists(tx, workspaceId, workflowId),
    // Inbound webhooks start executions in the delivery's transaction (the key makes a replay a
    // new execution, a re-run of the same replay not).
    onInbound: async (tx, t) => {
      const started = await workflows.startExecution({
        workspaceId: t.workspaceId, workflowId: t.workflowId, input: t.payload, trigger: 'webhook', actor: { type: 'system', id: null }, orderingKey: t.orderingKey,
        idempotencyKey: t.replayId ? `webhook:${t.deliveryId}:replay:${t.replayId}` : `webhook:${t.deliveryId}`,
      }, tx);
      return { executionId: started.executionId };
    },
  });
  tenancy.registerSetting(webhooks.retentionSetting);
  // Finished executions emit outbound events.
  workflows.onExecutionFinished(async (tx, e) => {
    await webhooks.emit(tx, e.workspaceId, e.type, {
      executionId: e.executionId, workflowId: e.workflowId, status: e.status, output: e.output ?? null, error: e.error ?? null, finishedAt: e.finishedAt,
    });
  });
  // The AI gateway meters every call on the usage ledger; budget alerts go out as events and mail.
  for (const t of USAGE_EVENT_TYPES) webhooks.registerEventType(t.type, t.description);
  // Agents come after the ledger and the gateway they use; the ledger's and memory's questions
  // about agents are closures over the module built below.
  let agents: AgentsModule | null = null;
  const usage = createUsageModule(deps, { audit, tenancy, identity, mail, jobs }, {
    emit: (tx, workspaceId, eventType, payload) => webhooks.emit(tx, workspaceId, eventType, payload),
    subjectExists: (tx, workspaceId, scope, id) => (scope === 'api_key' ? identity.apiKeyExists(tx, workspaceId, id) : scope === 'agent' && agents ? agents.agentExists(tx, workspaceId, id) : Promise.resolve(false)),
  });
  const llm = createLlmModule(deps, { audit, secrets, tenancy, usage });
  tenancy.registerSetting(ALLOWED_MODELS_SETTING);
  const memory = createMemoryModule(deps, { audit, jobs }, {
    agentExists: (tx, workspaceId, id) => (agents ? agents.agentExists(tx, workspaceId, id) : Promise.resolve(false)),
    // Embeddings for vector recall go through the gateway: metered and budgeted to the workspace.
    embed: async (workspaceId, model, texts, signal) => {
      const { response } = await llm.embed({ principal: { workspaceId, userId: null, apiKeyId: null }, request: { model, input: texts, encoding_format: 'float' }, apiFormat: 'internal', signal });
      return [...response.data].sort((x, y) => x.index - y.index).map((d) => (Array.isArray(d.embedding) ? d.embedding : []));
    },
    resolveSecret: (tx, workspaceId, name) => secrets.resolve(tx, workspaceId, name),
  });
  // Every new workspace gets its memory space in the signup transaction (rolled back with it).
  onboarding.registerProvisioningStep({ name: 'memory-space', run: (ctx, tx) => memory.provisionSpace(tx, ctx.workspaceId) });
  tenancy.registerSetting(MEMORY_EMBEDDING_SETTING);
  // Recall keeps the embedding model in memory for a few seconds: a change here applies at once (other processes: within 5 s).
  tenancy.onSettingsChanged((workspaceId, keys) => { if (keys.includes(MEMORY_EMBEDDING_SETTING.key)) memory.settingsChanged(workspaceId); });
  // The gateway's snapshot holds the workspace's settings too (allow-list, private addresses).
  tenancy.onSettingsChanged((workspaceId) => llm.settingsChanged(workspaceId));
  agents = createAgentsModule(deps, { audit, llm, memory, jobs, webhooks: { ...webhooks.agents, receive: webhooks.receive } }, {
    usage, tenancy, listMembers: identity.directory.listWorkspaceMembers,
    // The business tools: each on its module's use-case, as the principal (same checks and audit as the API).
    business: {
      invite: (principal, input, audit) => identity.invitations.create(principal, input, audit),
      listWorkflows: (principal, query) => workflows.asPrincipal.list(principal, query),
      startWorkflow: async ({ workspaceId, workflowId, input, principal, audit }) => {
        const started = await workflows.startExecution({
          workspaceId, workflowId, input, trigger: 'api', audit,
          actor: principal.userId ? { type: 'user', id: principal.userId } : principal.apiKeyId ? { type: 'api_key', id: principal.apiKeyId } : { type: 'system', id: null },
        });
        return { executionId: started.executionId, status: started.status };
      },
      execution: (principal, id) => workflows.asPrincipal.execution(principal, id),
      openTicket: (principal, audit, input) => support.tickets.create(principal, audit, input),
      listTickets: (principal, filter) => support.tickets.list(principal, filter),
    },
    // The HTTP tools send as a workflow's http step does (guard, secrets by name, redaction).
    http: {
      request: (input) => workflows.httpRequest(input),
      secretReferences,
      settingsOf: async (tx, workspaceId) => (await tenancy.getWorkspace(tx, workspaceId))?.settings ?? {},
    },
  });
  tenancy.registerSetting(HTTP_SECRET_HOSTS_SETTING);
  const agentsModule = agents;
  for (const [type, executor] of Object.entries(agents.workflowSteps())) workflows.registerStepType(type, executor);
  const mcp = createMcpModule(deps, {
    agents, audit,
    resolveSecret: (tx, workspaceId, name) => secrets.resolve(tx, workspaceId, name),
    isPrivateAllowed: async (tx, workspaceId) => (await tenancy.getWorkspace(tx, workspaceId))?.settings[PRIVATE_NETWORK_SETTING.key] === true,
  }, { version: options.version ?? '0.0.0' });
  // Every new workspace gets its data schema and role in the signup transaction (older ones on first use).
  const data = createDataApiModule(deps, { audit, jobs, authenticate: identity.authenticate, reports: { endpointSeries: apiLogs.reports.endpointSeries, endpointUsage: apiLogs.reports.endpointUsage } });
  onboarding.registerProvisioningStep({ name: 'data-schema', run: (_ctx, tx) => data.provisionSchema(tx) });
  onboarding.registerProvisioningStep({ name: 'build-branch', run: (ctx, tx) => workflows.nameBuildBranch(tx, ctx.workspaceId) });
  tenancy.registerSetting(DATA_TIMEOUT_SETTING);
  tenancy.registerSetting(DATA_ROWS_SETTING);
  const dataSettingsChanged = sharedForget(deps, 'data.settings', data.engine.settingsChanged);
  tenancy.onSettingsChanged((workspaceId, keys) => { if (keys.includes(DATA_TIMEOUT_SETTING.key) || keys.includes(DATA_ROWS_SETTING.key)) dataSettingsChanged(workspaceId); });
  webhooks.setAgentInbound((tx, trigger) => agentsModule.queueWebhookRun(tx, trigger));
  const admin = createAdminModule(deps, {
    identity, tenancy, mail, audit, jobs,
    reports: { workflows: workflows.reports, requests: requests.reports, support: support.reports, apiLogs: apiLogs.reports, audit: audit.reports },
  });

  return { bus, jobs, audit, mail, access, identity, tenancy, onboarding, admin, apiLogs, secrets, jobsAdmin, requests, support, workflows, webhooks, usage, llm, memory, agents, mcp, data };
}

export type Modules = ReturnType<typeof composeModules>;
