import type { Config } from '../../kernel/config.ts';
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { EventTypeRegistry } from './outbound/event-types.ts';
import type { EndpointCache } from './inbound/endpoint-cache.ts';

/** One verified inbound delivery (or a replay of one) handed to the endpoint's target. */
export type InboundTrigger = {
  workspaceId: string;
  endpointId: string;
  deliveryId: string;
  /** The sender's `webhook-id`. */
  webhookId: string;
  workflowId: string;
  /** The body parsed as JSON when it is JSON, else the text. */
  payload: unknown;
  headers: Record<string, string>;
  /** Set when the endpoint is ordered: executions with one key run one at a time, in arrival order. */
  orderingKey: string | null;
  replayId: string | null;
};

/**
 * Starts what a delivery triggers, in the delivery's tenant transaction (so a duplicate or a
 * rollback never leaves an execution behind). Throw an AppError (4xx) to refuse the delivery:
 * the refusal is stored and answered to duplicates.
 */
export type InboundHandler = (tx: Tx, trigger: InboundTrigger) => Promise<{ executionId: string | null }>;

/** One verified delivery (or a replay of one) to an agent's webhook. */
export type AgentInboundTrigger = {
  workspaceId: string;
  agentId: string;
  deliveryId: string;
  webhookId: string;
  payload: unknown;
  headers: Record<string, string>;
  replayId: string | null;
};

/**
 * Queues the agent's run in the delivery's tenant transaction (a duplicate or a rollback never
 * leaves a run behind). Throw an AppError (4xx) to refuse the delivery; the refusal is stored.
 */
export type AgentInboundHandler = (tx: Tx, trigger: AgentInboundTrigger) => Promise<{ runId: string }>;

/** Does this workflow exist in the workspace (checked when an endpoint targets it)? */
export type WorkflowLookup = (tx: Tx, workspaceId: string, workflowId: string) => Promise<boolean>;

export type WebhooksContext = {
  config: Config;
  db: Database;
  log: Logger;
  jobs: JobEngine;
  audit: AuditModule;
  mail: MailModule;
  identity: IdentityModule;
  tenancy: TenancyModule;
  /** Key that seals endpoint and subscription secrets at rest. */
  sealingKey: Buffer;
  eventTypes: EventTypeRegistry;
  endpoints: EndpointCache;
  hooks: { onInbound: InboundHandler; workflowExists: WorkflowLookup; onAgentInbound: AgentInboundHandler | null };
};
