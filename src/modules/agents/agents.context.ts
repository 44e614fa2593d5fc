import type { EventEmitter } from 'node:events';
import type { Database } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { LlmModule } from '../llm/index.ts';
import type { MemoryModule } from '../memory/index.ts';
import type { AgentWebhooks, InboundAnswer, InboundRequest } from '../webhooks/index.ts';
import type { ToolRegistry } from './tools/registry.ts';
import type { ChatDefinitions } from './chat-definitions.ts';

/** What the agents module uses of the webhooks module (wired by the composition root). */
export type AgentWebhooksPort = AgentWebhooks & { receive(request: InboundRequest): Promise<InboundAnswer> };

/** What the agents use-cases need. */
export type AgentsContext = {
  db: Database; log: Logger; audit: Pick<AuditModule, 'record'>;
  llm: Pick<LlmModule, 'stream' | 'checkModel'>;
  memory: Pick<MemoryModule, 'recall' | 'embedQuery'>;
  tools: ToolRegistry;
  /** Runs in flight in this process, by id: cancellation aborts them. */
  running: Map<string, AbortController>;
  /** Runs ending in this process: `emit(runId, {run, message})` (a webhook waiting in sync mode listens). */
  finished: EventEmitter;
  jobs: JobEngine;
  /** What a chat runs, cached per process and checked by the run (chat-definitions.ts). */
  definitions: ChatDefinitions;
  /** Null until wired (and in tests that build the module alone): webhooks then refuse. */
  webhooks: AgentWebhooksPort | null;
};
