// The webhooks module's door: inbound endpoints (Standard Webhooks verified, deduplicated,
// stored, replayable) and outbound event subscriptions (emit in the caller's transaction,
// signed delivery jobs with retries, attempt log, auto-disable).
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import { sharedForget } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { deriveKey } from '../../kernel/crypto.ts';
import type { JobActor, JobEngine } from '../../kernel/jobs/index.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import { applyWebhookRetention, webhooksRetentionSetting } from './apply-retention.ts';
import { DELIVER_QUEUE, deliverWebhookJob } from './outbound/deliver-webhook.job.ts';
import type { DeliverPayload } from './outbound/deliver-webhook.job.ts';
import { emitEvent } from './outbound/emit-event.ts';
import { createEndpointCache } from './inbound/endpoint-cache.ts';
import { endpointRoutes } from './inbound/endpoints.routes.ts';
import { createEventTypeRegistry } from './outbound/event-types.ts';
import { hookRoutes } from './inbound/hooks.routes.ts';
import { replayAll } from './inbound/replay-all.ts';
import type { ReplayAllRequest } from './inbound/replay-all.ts';
import { subscriptionRoutes } from './outbound/subscriptions.routes.ts';
import type { AgentInboundHandler, InboundHandler, WebhooksContext, WorkflowLookup } from './webhooks.context.ts';
import { AGENT_ANSWER_EVENT, agentWebhooks } from './agent-webhooks.ts';
import { receiveWebhook } from './inbound/receive-webhook.ts';
import type { InboundRequest } from './inbound/receive-webhook.ts';

export type { AgentInboundHandler, AgentInboundTrigger, InboundHandler, InboundTrigger, WorkflowLookup } from './webhooks.context.ts';
export type { AgentWebhooks, AgentWebhookState } from './agent-webhooks.ts';
export type { InboundAnswer, InboundRequest } from './inbound/receive-webhook.ts';
export { AGENT_ANSWER_EVENT } from './agent-webhooks.ts';
export { HookAcceptedSchema, EndpointSchema, SubscriptionSchema } from './webhooks.schema.ts';
export type { EmittedEvent } from './outbound/emit-event.ts';
export type { ReplayAllRequest, ReplayAllSummary } from './inbound/replay-all.ts';
export type { WebhookRetentionRun } from './apply-retention.ts';
export { webhooksErrors } from './webhooks.errors.ts';
export { DELIVER_QUEUE } from './outbound/deliver-webhook.job.ts';
export { generateSecret, verifyDelivery, signatureHeader, signerOf } from './signing.ts';

export const RETENTION_QUEUE = 'webhooks.retention';

/** Required ports to the workflows module (wired by the composition root). */
export type WebhooksModuleOptions = {
  /** Starts what an inbound delivery to a workflow endpoint triggers. */
  onInbound: InboundHandler;
  /** Checks an endpoint's target workflow exists (an endpoint cannot target a missing workflow). */
  workflowExists: WorkflowLookup;
};

export function createWebhooksModule(
  deps: KernelDeps,
  modules: { jobs: JobEngine; audit: AuditModule; mail: MailModule; identity: IdentityModule; tenancy: TenancyModule },
  options: WebhooksModuleOptions,
) {
  const { config, db, log } = deps;
  const sealingKey = deriveKey(config.secret, 'atrium:webhook-secrets:v1');
  const ctx: WebhooksContext = {
    config, db, log, ...modules, sealingKey,
    eventTypes: createEventTypeRegistry(),
    endpoints: createEndpointCache(db, sealingKey),
    hooks: { onInbound: options.onInbound, workflowExists: options.workflowExists, onAgentInbound: null },
  };
  // An endpoint changed or its secret rotated on one process: every process loads it again.
  ctx.endpoints.invalidate = sharedForget(deps, 'webhooks.endpoints', ctx.endpoints.invalidate);
  ctx.eventTypes.register(AGENT_ANSWER_EVENT, 'An agent\'s answer to a delivery to its webhook (async mode); sent only to that agent\'s callback');

  const w = config.webhooks;
  modules.jobs.define<DeliverPayload>({
    name: DELIVER_QUEUE, handler: deliverWebhookJob(ctx), concurrency: 25, maxAttempts: w.maxAttempts,
    // The HTTP timeout plus the two short transactions around it.
    timeoutMs: w.timeoutMs + 5_000, backoff: { baseMs: w.backoffBaseMs, maxMs: w.backoffMaxMs },
  });
  modules.jobs.define({
    name: RETENTION_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 30 * 60_000,
    handler: async (job) => {
      const run = await applyWebhookRetention(db);
      job.log.info(run, 'webhook delivery retention applied');
    },
  });

  const routes: RoutePlugin = async (app) => {
    await app.register(endpointRoutes(ctx));
    await app.register(subscriptionRoutes(ctx));
    await app.register(hookRoutes(ctx));
  };

  return {
    routes,
    /** The daily retention schedule (idempotent; the composition root calls it at start, platform path). */
    installSchedules(tx: Tx): Promise<void> {
      return modules.jobs.schedule(tx, { name: RETENTION_QUEUE, cron: '23 3 * * *', queue: RETENTION_QUEUE });
    },
    retentionSetting: webhooksRetentionSetting,
    /**
     * Emit an event in the caller's transaction (bound to `workspaceId`): one delivery per enabled
     * subscription listening to `eventType`, sent by the job engine once the transaction commits.
     */
    emit(tx: Tx, workspaceId: string, eventType: string, payload: unknown, emitOptions: { actor?: JobActor | null } = {}) {
      return emitEvent(ctx, tx, workspaceId, eventType, payload, emitOptions);
    },
    /** Add an event type subscriptions may listen to (e.g. `agent.run_completed`). */
    registerEventType(type: string, description: string): void {
      ctx.eventTypes.register(type, description);
    },
    /** Agents' webhooks: their endpoints and callbacks, in the agents module's transaction. */
    agents: agentWebhooks(ctx),
    /** Where deliveries to agents' webhooks start runs (the agents module, wired by the composition root). */
    setAgentInbound(handler: AgentInboundHandler): void {
      ctx.hooks.onAgentInbound = handler;
    },
    /** Verify, deduplicate, store and start one delivery (the agents module's webhook route: `door: 'agent'`). */
    receive(request: InboundRequest) {
      return receiveWebhook(ctx, request);
    },
    /** Test seam: replace the inbound target and the workflow lookup (tests that record triggers). */
    replaceInboundTarget(handler: InboundHandler, workflowExists: WorkflowLookup): void {
      ctx.hooks.onInbound = handler;
      ctx.hooks.workflowExists = workflowExists;
    },
    /** Replay stored inbound deliveries across workspaces (platform path: `atrium webhooks replay`). */
    replay(context: AuditContext, request: ReplayAllRequest) {
      return replayAll(ctx, context, request);
    },
    applyRetention(retentionOptions: { now?: Date } = {}) {
      return applyWebhookRetention(db, retentionOptions);
    },
  };
}

export type WebhooksModule = ReturnType<typeof createWebhooksModule>;
