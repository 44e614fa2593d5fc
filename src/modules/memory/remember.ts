// Remember: one memory for an agent (or shared by the workspace's agents). The same memory in
// the same scope (the same words, whatever the case, punctuation and spacing) is updated instead
// — its text replaced by the newer one, tags joined — so an agent that keeps noting the same
// fact does not fill its memory. The
// quotas (count and bytes, per workspace and per agent) are checked after the write, on the
// counters the write moved, inside its transaction: over a limit, nothing is kept.
import type { Tx } from '../../kernel/db/database.ts';
import type { MemoryContext } from './memory.context.ts';
import { rememberExternally, spaceIn } from './memory-space.ts';
import { memoryErrors } from './memory.errors.ts';
import { memoryLimits } from './memory-quotas.ts';
import { embeddingModelOf, queueEmbedding } from './embed-memories.job.ts';
import type { MemoryView, RememberInput } from './memory.schema.ts';
import { findNearDuplicate, insertMemory, selectCounters, updateMemory, viewOfMemory } from './memory.store.ts';

export type RememberResult = MemoryView & { isMerged: boolean };

const fmtBytes = (b: number) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(0)} MB` : `${Math.ceil(b / 1024)} KB`);

/** The workspace's plan, from tenancy's published directory (one indexed read on the write path). */
export async function planOf(tx: Tx, workspaceId: string): Promise<string> {
  const { rows } = await tx.query<{ plan: string }>('select plan from workspace_directory where id = $1', [workspaceId]);
  return rows[0]?.plan ?? 'free';
}

export async function checkMemoryQuota(ctx: MemoryContext, tx: Tx, workspaceId: string, agentId: string | null): Promise<void> {
  const limits = memoryLimits(await planOf(tx, workspaceId));
  const counters = await selectCounters(tx, workspaceId, agentId ? [workspaceId, agentId] : [workspaceId]);
  const checks: Array<[string, { count: number; bytes: number } | undefined, { count: number; bytes: number }]> = [
    ['workspace', counters.get(workspaceId), limits.workspace],
    ...(agentId ? [['agent', counters.get(agentId), limits.agent] as [string, { count: number; bytes: number } | undefined, { count: number; bytes: number }]] : []),
  ];
  for (const [who, used, max] of checks) {
    if (!used) continue;
    if (used.count > max.count) throw memoryErrors.create('MEMORY_QUOTA_EXCEEDED', `The ${who}'s memory holds its plan's most memories (${max.count.toLocaleString('en-US')}); delete some or ask for a larger plan`);
    if (used.bytes > max.bytes) throw memoryErrors.create('MEMORY_QUOTA_EXCEEDED', `The ${who}'s memory holds its plan's most text (${fmtBytes(max.bytes)}); delete some or ask for a larger plan`);
  }
}

/** With an embedding model set, the memory's embedding is computed after the answer (embed-memories.job.ts). */
async function queueEmbeddingIfModel(ctx: MemoryContext, tx: Tx, workspaceId: string): Promise<void> {
  if (ctx.embed && (await embeddingModelOf(tx, workspaceId))) await queueEmbedding(ctx.jobs, tx, workspaceId);
}

export async function remember(ctx: MemoryContext, tx: Tx, workspaceId: string, agentId: string | null, input: RememberInput, createdBy: string | null): Promise<RememberResult> {
  if (input.expiresAt && Date.parse(input.expiresAt) <= Date.now()) {
    throw memoryErrors.create('MEMORY_EXPIRY_INVALID', 'expiresAt is in the past: the memory would never be recalled');
  }
  const text = input.text.trim() || input.text;
  const space = await spaceIn(ctx, tx, workspaceId);
  if (space.provider === 'mem0') return rememberExternally(ctx, tx, space, agentId, { ...input, text });
  const near = await findNearDuplicate(tx, workspaceId, agentId, text);
  if (near) {
    const tags = [...new Set([...near.tags, ...(input.tags ?? [])])].slice(0, 20);
    const row = await updateMemory(tx, workspaceId, near.id, {
      text, tags, metadata: { ...near.metadata, ...(input.metadata ?? {}) }, ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    });
    await checkMemoryQuota(ctx, tx, workspaceId, agentId);
    if (row!.text !== near.text) await queueEmbeddingIfModel(ctx, tx, workspaceId);
    return { ...viewOfMemory(row!), isMerged: true };
  }
  const row = await insertMemory(tx, workspaceId, { agentId, text, tags: input.tags ?? [], metadata: input.metadata ?? {}, expiresAt: input.expiresAt ?? null, createdBy });
  await checkMemoryQuota(ctx, tx, workspaceId, agentId);
  await queueEmbeddingIfModel(ctx, tx, workspaceId);
  return { ...viewOfMemory(row), isMerged: false };
}
