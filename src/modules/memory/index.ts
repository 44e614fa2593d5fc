// The memory module's door: a workspace's long-term memory, per agent or shared by its agents
// (brief 000 S8.1). `remember` and `recall` are what the agent runtime and its memory tool call,
// in the caller's tenant transaction. Owns memories, memory_counters, memory_spaces (where the
// memory lives: built-in, or a Mem0-compatible provider's project).
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditModule } from '../audit/index.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import { defineMemoryExpiryJob, deleteExpiredMemories, scheduleMemoryExpiry } from './expire-memories.job.ts';
import type { AgentLookup, MemoryContext } from './memory.context.ts';
import { memoryRoutes } from './memory.routes.ts';
import { remember } from './remember.ts';
import type { RememberResult } from './remember.ts';
import { embedQuery, recall } from './manage-memories.ts';
import { defineMemoryEmbedJob } from './embed-memories.job.ts';
import { getSpace, provisionBuiltinSpace } from './memory-space.ts';
import type { Embedder } from './embed-memories.job.ts';
import type { QueryVector } from './memory.store.ts';
import type { RememberInput, RecalledMemory } from './memory.schema.ts';

export type { RecalledMemory, RememberInput, MemoryView } from './memory.schema.ts';
export type { RememberResult } from './remember.ts';
export { memoryErrors } from './memory.errors.ts';
export { MEMORY_LIMITS } from './memory-quotas.ts';
export { MEMORY_EMBEDDING_SETTING } from './embed-memories.job.ts';
export type { Embedder } from './embed-memories.job.ts';
export type { QueryVector } from './memory.store.ts';

export function createMemoryModule(
  deps: KernelDeps,
  modules: { audit: Pick<AuditModule, 'record'>; jobs: JobEngine },
  ports: { agentExists: AgentLookup; embed?: Embedder; resolveSecret?: MemoryContext['resolveSecret'] },
) {
  const ctx: MemoryContext = {
    db: deps.db, log: deps.log, audit: modules.audit, agentExists: ports.agentExists, jobs: modules.jobs, embed: ports.embed ?? null, embeddingModels: new Map(), spaces: new Map(),
    resolveSecret: ports.resolveSecret ?? (() => Promise.reject(Object.assign(new Error('no vault'), { code: 'SECRET_NOT_FOUND' }))),
  };
  defineMemoryExpiryJob(modules.jobs, deps.db, deps.log);
  if (ports.embed) defineMemoryEmbedJob(modules.jobs, deps.db, deps.log, ports.embed);
  return {
    /** The hourly sweep of expired memories (idempotent; installed at start, platform path). */
    installSchedules(tx: Tx): Promise<void> {
      return scheduleMemoryExpiry(modules.jobs, tx);
    },
    deleteExpired: (options: { now?: Date } = {}) => deleteExpiredMemories(deps.db, options),
    routes: memoryRoutes(ctx) satisfies RoutePlugin,
    /** Remember for an agent (agentId) or the workspace (null), in the caller's transaction. Throws MEMORY_QUOTA_EXCEEDED. */
    remember(tx: Tx, workspaceId: string, agentId: string | null, input: RememberInput, createdBy: string | null): Promise<RememberResult> {
      return remember(ctx, tx, workspaceId, agentId, input, createdBy);
    },
    /**
     * The memories closest to a query: the agent's and the shared ones (agentId), or the shared
     * ones only (null). With `vector` (embedQuery's, computed before the transaction), hybrid.
     */
    recall(tx: Tx, workspaceId: string, agentId: string | null, query: { query: string; limit?: number; tags?: string[]; vector?: QueryVector | null }): Promise<RecalledMemory[]> {
      return recall(ctx, tx, workspaceId, agentId ? { kind: 'agent', agentId } : { kind: 'shared' }, query);
    },
    /** The query's embedding when the workspace names an embedding model, else null (never throws). Call outside a transaction. */
    embedQuery(workspaceId: string, text: string, signal?: AbortSignal): Promise<QueryVector | null> {
      return embedQuery(ctx, workspaceId, text, signal);
    },
    /** The onboarding step: a new workspace's memory space (built-in provider, a project id of its own), in the signup transaction. */
    async provisionSpace(tx: Tx, workspaceId: string): Promise<void> {
      await provisionBuiltinSpace(tx, workspaceId);
    },
    /** Where the workspace's memory lives and whether it answered at the last check (the dashboard's status). */
    space: (workspaceId: string) => getSpace(ctx, workspaceId),
    /** Forget what this process keeps of the workspace's memory settings (the composition root calls it when they change). */
    settingsChanged(workspaceId: string): void {
      ctx.embeddingModels.delete(workspaceId);
    },
  };
}

export type MemoryModule = ReturnType<typeof createMemoryModule>;
