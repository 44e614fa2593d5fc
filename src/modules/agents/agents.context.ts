import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { LlmModule } from '../llm/index.ts';
import type { MemoryModule } from '../memory/index.ts';
import type { ToolRegistry } from './tools/registry.ts';

/** What the agents use-cases need. */
export type AgentsContext = {
  db: Database; log: Logger; audit: Pick<AuditModule, 'record'>;
  llm: Pick<LlmModule, 'stream'>;
  memory: Pick<MemoryModule, 'recall'>;
  tools: ToolRegistry;
  /** Runs in flight in this process, by id: cancellation aborts them. */
  running: Map<string, AbortController>;
};
