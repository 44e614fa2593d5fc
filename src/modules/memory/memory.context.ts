import type { Database, Tx } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Embedder } from './embed-memories.job.ts';
import type { SpaceRow } from './memory-space.ts';

/** Is this one of the workspace's agents? (The agents module's door, given at the root.) */
export type AgentLookup = (tx: Tx, workspaceId: string, agentId: string) => Promise<boolean>;

/** What the memory use-cases need. */
export type MemoryContext = {
  db: Database; log: Logger; audit: Pick<AuditModule, 'record'>;
  agentExists: AgentLookup;
  jobs: JobEngine;
  /** Embeddings through the AI gateway (absent: recall by words only). */
  embed: Embedder | null;
  /** Each workspace's embedding model as last read, for recall's read path (manage-memories.ts). */
  embeddingModels: Map<string, { model: string | null; at: number }>;
  /** Each workspace's memory space as last read (memory-space.ts). */
  spaces: Map<string, { space: SpaceRow; at: number }>;
  /** A vault secret's value (the secrets module's door), in the caller's transaction: the external provider's access key. */
  resolveSecret(tx: Tx, workspaceId: string, name: string): Promise<string>;
};
