// Reading and editing memories: recall (the agents' read path), list with search and tags
// (keyset pages), edit, delete, export, and the quota as used / max.
import type { Tx } from '../../kernel/db/database.ts';
import { isUuid } from '../../kernel/ids.ts';
import type { MemoryContext } from './memory.context.ts';
import { memoryErrors } from './memory.errors.ts';
import { memoryLimits } from './memory-quotas.ts';
import type { ListMemoriesInput, MemoryView, RecalledMemory, UpdateMemoryInput } from './memory.schema.ts';
import type { QueryVector, RecallScope } from './memory.store.ts';
import { recallExternally, spaceIn } from './memory-space.ts';
import { countUnembedded, deleteMemory, listMemories, recallMemories, selectAgentCounters, selectCounters, updateMemory, viewOfMemory } from './memory.store.ts';
import { checkMemoryQuota, planOf } from './remember.ts';
import { embeddingModelOf, queueEmbedding } from './embed-memories.job.ts';

export function tagsOf(text: string | undefined): string[] {
  return text ? [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))].slice(0, 20) : [];
}

export async function recall(ctx: MemoryContext, tx: Tx, workspaceId: string, scope: RecallScope, query: { query: string; limit?: number; tags?: string[]; vector?: QueryVector | null }): Promise<RecalledMemory[]> {
  const space = await spaceIn(ctx, tx, workspaceId);
  if (space.provider === 'mem0') return recallExternally(ctx, tx, space, scope.kind === 'agent' ? scope.agentId : null, query);
  const rows = await recallMemories(tx, workspaceId, scope, query.query, query.tags ?? [], query.limit ?? 5, query.vector);
  return rows.map((r) => ({ ...viewOfMemory(r), score: Math.round(r.score * 1e6) / 1e6 }));
}

const encodeCursor = (id: string) => Buffer.from(JSON.stringify(['m', id]), 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed[0] === 'm' && typeof parsed[1] === 'string' && isUuid(parsed[1])) return parsed[1].toLowerCase();
  } catch {
    // not ours
  }
  throw memoryErrors.create('MEMORY_CURSOR_INVALID', 'Pass the nextCursor of the previous page, unchanged');
}

/**
 * The workspace's embedding model, read at most every 5 s per workspace and process (recall is
 * an agent's every turn; a transaction for one setting was a seventh of a turn's). A change of
 * the setting applies within 5 s.
 */
const EMBEDDING_MODEL_TTL_MS = 5_000;
async function cachedEmbeddingModel(ctx: MemoryContext, workspaceId: string): Promise<string | null> {
  const hit = ctx.embeddingModels.get(workspaceId);
  if (hit && Date.now() - hit.at < EMBEDDING_MODEL_TTL_MS) return hit.model;
  const model = await ctx.db.withWorkspace(workspaceId, (tx) => embeddingModelOf(tx, workspaceId));
  if (ctx.embeddingModels.size > 50_000) ctx.embeddingModels.clear();
  ctx.embeddingModels.set(workspaceId, { model, at: Date.now() });
  return model;
}

/**
 * The query's embedding when the workspace names an embedding model (before the recall's
 * transaction: no connection is held while the gateway answers). Null when it names none, or
 * when the call fails: recall then stays lexical rather than fail (the failure is logged).
 */
export async function embedQuery(ctx: MemoryContext, workspaceId: string, text: string, signal?: AbortSignal): Promise<QueryVector | null> {
  if (!ctx.embed) return null;
  const model = await cachedEmbeddingModel(ctx, workspaceId);
  if (!model) return null;
  try {
    const [values] = await ctx.embed(workspaceId, model, [text.slice(0, 2000)], signal);
    return values?.length ? { model, values } : null;
  } catch (err) {
    ctx.log.warn({ workspaceId, model, err: (err as Error).message }, 'recall: the query could not be embedded; recalling by words only');
    return null;
  }
}

export async function listMemoryPage(tx: Tx, workspaceId: string, q: ListMemoriesInput, agentId?: string | null): Promise<{ data: MemoryView[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const scope = agentId !== undefined ? agentId : q.agentId === undefined ? undefined : q.agentId === 'shared' ? null : q.agentId;
  const rows = await listMemories(tx, workspaceId, { agentId: scope, search: q.search, tags: tagsOf(q.tags), limit, before: q.cursor ? decodeCursor(q.cursor) : undefined });
  const page = rows.slice(0, limit);
  return { data: page.map(viewOfMemory), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null };
}

export async function editMemory(ctx: MemoryContext, tx: Tx, workspaceId: string, id: string, patch: UpdateMemoryInput): Promise<MemoryView> {
  if (patch.expiresAt && Date.parse(patch.expiresAt) <= Date.now()) throw memoryErrors.create('MEMORY_EXPIRY_INVALID', 'expiresAt is in the past: delete the memory instead');
  const row = await updateMemory(tx, workspaceId, id, { ...patch, ...(patch.text !== undefined ? { text: patch.text.trim() || patch.text } : {}) });
  if (!row) throw memoryErrors.create('MEMORY_NOT_FOUND');
  if (patch.text !== undefined) {
    await checkMemoryQuota(ctx, tx, workspaceId, row.agent_id);
    if (ctx.embed && (await embeddingModelOf(tx, workspaceId))) await queueEmbedding(ctx.jobs, tx, workspaceId);
  }
  return viewOfMemory(row);
}

export async function forgetMemory(tx: Tx, workspaceId: string, id: string): Promise<MemoryView> {
  const row = await deleteMemory(tx, workspaceId, id);
  if (!row) throw memoryErrors.create('MEMORY_NOT_FOUND');
  return viewOfMemory(row);
}

export async function memoryQuota(tx: Tx, workspaceId: string) {
  const plan = await planOf(tx, workspaceId);
  const limits = memoryLimits(plan);
  const own = (await selectCounters(tx, workspaceId, [workspaceId])).get(workspaceId) ?? { count: 0, bytes: 0 };
  const agents = await selectAgentCounters(tx, workspaceId);
  const embeddingModel = await embeddingModelOf(tx, workspaceId);
  const pending = embeddingModel ? await countUnembedded(tx, workspaceId) : 0;
  return {
    recall: { mode: embeddingModel ? 'words_and_meaning' as const : 'words' as const, embeddingModel, pending },
    plan,
    workspace: { ...own, maxCount: limits.workspace.count, maxBytes: limits.workspace.bytes },
    agentLimits: { maxCount: limits.agent.count, maxBytes: limits.agent.bytes },
    agents: agents.map((a) => ({ agentId: a.subjectId, count: a.count, bytes: a.bytes, maxCount: limits.agent.count, maxBytes: limits.agent.bytes })),
  };
}
