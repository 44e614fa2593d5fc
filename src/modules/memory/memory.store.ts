// SQL of the memory module (memories, memory_counters), in the caller's tenant transaction.
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import type { MemoryView } from './memory.schema.ts';

export type MemoryRow = {
  id: string; agent_id: string | null; text: string; tags: string[]; metadata: Record<string, unknown>; expires_at: Date | null;
  created_at: Date; updated_at: Date; bytes: number;
};
const COLUMNS = 'id, agent_id, text, tags, metadata, expires_at, created_at, updated_at, bytes';

export function viewOfMemory(r: MemoryRow): MemoryView {
  return {
    id: r.id, agentId: r.agent_id, text: r.text, tags: r.tags, metadata: r.metadata, expiresAt: r.expires_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), bytes: r.bytes,
  };
}

/**
 * The same memory already kept in this scope: the same words whatever the case, punctuation and
 * spacing (the fingerprint column, a b-tree lookup however large the memory).
 */
export async function findNearDuplicate(tx: Tx, workspaceId: string, agentId: string | null, text: string): Promise<MemoryRow | null> {
  const { rows } = await tx.query<MemoryRow>(
    `select ${COLUMNS} from memories
      where workspace_id = $1 and fingerprint = md5(lower(btrim(regexp_replace($3::text, '[^[:alnum:]]+', ' ', 'g'))))
        and agent_id is not distinct from $2 and (expires_at is null or expires_at > now())
      order by id desc limit 1`, [workspaceId, agentId, text]);
  return rows[0] ?? null;
}

export async function insertMemory(tx: Tx, workspaceId: string, m: { agentId: string | null; text: string; tags: string[]; metadata: Record<string, unknown>; expiresAt: string | null; createdBy: string | null }): Promise<MemoryRow> {
  const { rows } = await tx.query<MemoryRow>(
    `insert into memories (workspace_id, agent_id, text, tags, metadata, expires_at, created_by) values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
    [workspaceId, m.agentId, m.text, m.tags, JSON.stringify(m.metadata), m.expiresAt, m.createdBy]);
  return rows[0];
}

export async function updateMemory(tx: Tx, workspaceId: string, id: string, patch: { text?: string; tags?: string[]; metadata?: Record<string, unknown>; expiresAt?: string | null }): Promise<MemoryRow | null> {
  const { rows } = await tx.query<MemoryRow>(
    `update memories set text = coalesce($3, text), tags = coalesce($4, tags), metadata = coalesce($5, metadata),
            embedding = case when $3 is distinct from text and $3 is not null then null else embedding end,
            expires_at = case when $6 then $7::timestamptz else expires_at end, updated_at = now()
      where workspace_id = $1 and id = $2 returning ${COLUMNS}`,
    [workspaceId, id, patch.text ?? null, patch.tags ?? null, patch.metadata ? JSON.stringify(patch.metadata) : null, patch.expiresAt !== undefined, patch.expiresAt ?? null]);
  return rows[0] ?? null;
}

export async function deleteMemory(tx: Tx, workspaceId: string, id: string): Promise<MemoryRow | null> {
  const { rows } = await tx.query<MemoryRow>(`delete from memories where workspace_id = $1 and id = $2 returning ${COLUMNS}`, [workspaceId, id]);
  return rows[0] ?? null;
}

export async function selectMemory(tx: Tx, workspaceId: string, id: string): Promise<MemoryRow | null> {
  const { rows } = await tx.query<MemoryRow>(`select ${COLUMNS} from memories where workspace_id = $1 and id = $2`, [workspaceId, id]);
  return rows[0] ?? null;
}

export async function selectCounters(tx: Tx, workspaceId: string, subjects: string[]): Promise<Map<string, { count: number; bytes: number }>> {
  const { rows } = await tx.query<{ subject_id: string; count: string; bytes: string }>(
    `select subject_id, sum(count) as count, sum(bytes) as bytes from memory_counters
      where workspace_id = $1 and subject_id = any($2::uuid[]) group by subject_id`, [workspaceId, subjects]);
  return new Map(rows.map((r) => [r.subject_id, { count: toNumber(r.count), bytes: toNumber(r.bytes) }]));
}

/** Memories with no embedding yet (the partial index memories_unembedded_idx). */
export async function countUnembedded(tx: Tx, workspaceId: string): Promise<number> {
  const { rows } = await tx.query<{ n: string }>('select count(*) as n from memories where workspace_id = $1 and embedding is null and (expires_at is null or expires_at > now())', [workspaceId]);
  return toNumber(rows[0].n);
}

export async function selectAgentCounters(tx: Tx, workspaceId: string): Promise<Array<{ subjectId: string; count: number; bytes: number }>> {
  const { rows } = await tx.query<{ subject_id: string; count: string; bytes: string }>(
    `select subject_id, sum(count) as count, sum(bytes) as bytes from memory_counters where workspace_id = $1 and subject_id <> $1
      group by subject_id having sum(count) > 0 order by sum(bytes) desc limit 200`, [workspaceId]);
  return rows.map((r) => ({ subjectId: r.subject_id, count: toNumber(r.count), bytes: toNumber(r.bytes) }));
}

export type RecallScope = { kind: 'agent'; agentId: string } | { kind: 'shared' };

/**
 * Recall without a model: the candidates (ids and scores) from atrium_recall_memories, which
 * ranks full-text matches (every word fused with any word by reciprocal rank) and falls back to
 * trigram similarity, with the GIN indexes (migration 0028 says why it must run as its owner for
 * them to be used); the rows themselves read here by primary key, through row-level security.
 * Expired memories never come back. Parameters: workspace, query, tags, agent or null, limit.
 */
export const RECALL_SQL = `select ${COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}, r.score
   from atrium_recall_memories($2, $3, $4, $5) r join memories m on m.workspace_id = $1 and m.id = r.id
  order by r.score desc, m.id desc`;

/** The query's embedding, and the model that made it (recall compares it with memories embedded by the same model only). */
export type QueryVector = { model: string; values: number[] };

/** How many memories the exact scan compares with the query (the newest embedded ones in scope), and the least similarity counted. */
const VECTOR_SCAN = 2_000;
const MIN_SIMILARITY = 0.3;

export async function recallMemories(tx: Tx, workspaceId: string, scope: RecallScope, query: string, tags: string[], limit: number, vector?: QueryVector | null): Promise<Array<MemoryRow & { score: number }>> {
  // A few more than asked, so that near-duplicates merged below still leave `limit` memories.
  const values = [workspaceId, query, tags, scope.kind === 'agent' ? scope.agentId : null, limit + NEAR_DUPLICATE_ROOM];
  if (!vector) {
    const { rows } = await tx.query<MemoryRow & { score: string }>({ name: 'atrium_recall_memories', text: RECALL_SQL, values });
    return withoutNearDuplicates(rows.map((r) => ({ ...r, score: Number(r.score) })), limit);
  }
  // Hybrid: the lexical ranking (40 candidates) and the nearest by meaning (40, an exact scan of
  // the newest embedded memories in scope, through RLS), fused by reciprocal rank (k = 60).
  const inScope = scope.kind === 'agent' ? '(agent_id = $2 or agent_id is null)' : 'agent_id is null and $2::uuid is null';
  const lexical = await tx.query<{ id: string }>('select id from atrium_recall_memories($1, $2, $3, 40)', [query, tags, values[3]]);
  const semantic = await tx.query<{ id: string }>(
      `select id from (select id, atrium_cosine(embedding, $5::real[]) as similarity from (
          select id, embedding from memories
           where workspace_id = $1 and ${inScope} and ($3::text[] = '{}' or tags @> $3::text[]) and (expires_at is null or expires_at > now())
             and embedding_model = $4 order by id desc limit ${VECTOR_SCAN}) c) s
        where similarity >= ${MIN_SIMILARITY} order by similarity desc, id desc limit 40`,
      [workspaceId, values[3], tags, vector.model, vector.values]);
  const fused = new Map<string, number>();
  lexical.rows.forEach((r, i) => fused.set(r.id, (fused.get(r.id) ?? 0) + 1 / (61 + i)));
  semantic.rows.forEach((r, i) => fused.set(r.id, (fused.get(r.id) ?? 0) + 1 / (61 + i)));
  const top = [...fused.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? 1 : -1)).slice(0, limit + NEAR_DUPLICATE_ROOM);
  if (top.length === 0) return [];
  const { rows } = await tx.query<MemoryRow>(`select ${COLUMNS} from memories where workspace_id = $1 and id = any($2::uuid[])`, [workspaceId, top.map(([id]) => id)]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return withoutNearDuplicates(top.flatMap(([id, score]) => (byId.has(id) ? [{ ...byId.get(id)!, score }] : [])), limit);
}

const NEAR_DUPLICATE_ROOM = 5;
/** The same words, whatever the case, punctuation and spacing (the fingerprint's rule). */
const wordsOf = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/**
 * Near-duplicates merged: an agent's memory and a shared one saying the same thing (remember
 * merges within one scope only) come back once, the better-ranked one, its tags joined with the other's.
 */
function withoutNearDuplicates<T extends MemoryRow & { score: number }>(rows: T[], limit: number): T[] {
  const kept = new Map<string, T>();
  for (const r of rows) {
    const key = wordsOf(r.text);
    const first = kept.get(key);
    if (first) first.tags = [...new Set([...first.tags, ...r.tags])].slice(0, 20);
    else kept.set(key, { ...r });
  }
  return [...kept.values()].slice(0, limit);
}

export async function listMemories(tx: Tx, workspaceId: string, q: { agentId?: string | null; search?: string; tags: string[]; limit: number; before?: string }): Promise<MemoryRow[]> {
  if (q.search) {
    // Through the GIN index (migration 0030 says why the match needs atrium_search_memories); the rows through RLS.
    const agent = q.agentId === undefined ? 'any' : q.agentId === null ? 'shared' : q.agentId;
    const { rows } = await tx.query<MemoryRow>(
      `select ${COLUMNS} from memories where workspace_id = $1 and id = any(array(select atrium_search_memories($2, $3, $4, $5, $6))) order by id desc`,
      [workspaceId, q.search, q.tags, agent, q.before ?? null, q.limit + 1]);
    return rows;
  }
  const values: unknown[] = [workspaceId, q.tags, q.limit + 1];
  const param = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const conditions = ['workspace_id = $1', "($2::text[] = '{}' or tags @> $2::text[])"];
  if (q.agentId !== undefined) conditions.push(q.agentId === null ? 'agent_id is null' : `agent_id = ${param(q.agentId)}`);
  if (q.before) conditions.push(`id < ${param(q.before)}`);
  const { rows } = await tx.query<MemoryRow>(`select ${COLUMNS} from memories where ${conditions.join(' and ')} order by id desc limit $3`, values);
  return rows;
}
