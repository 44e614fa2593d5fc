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
    'select subject_id, count, bytes from memory_counters where workspace_id = $1 and subject_id = any($2::uuid[])', [workspaceId, subjects]);
  return new Map(rows.map((r) => [r.subject_id, { count: toNumber(r.count), bytes: toNumber(r.bytes) }]));
}

export async function selectAgentCounters(tx: Tx, workspaceId: string): Promise<Array<{ subjectId: string; count: number; bytes: number }>> {
  const { rows } = await tx.query<{ subject_id: string; count: string; bytes: string }>(
    'select subject_id, count, bytes from memory_counters where workspace_id = $1 and subject_id <> $1 and count > 0 order by bytes desc limit 200', [workspaceId]);
  return rows.map((r) => ({ subjectId: r.subject_id, count: toNumber(r.count), bytes: toNumber(r.bytes) }));
}

export type RecallScope = { kind: 'agent'; agentId: string } | { kind: 'shared' };

/**
 * Recall without a model, in two statements at most, each bounded whatever the workspace holds:
 *  1. full text: the memories holding every word of the query (ranked by cover density), fused
 *     by reciprocal rank (k = 60) with those holding any of them — an agent asks in sentences,
 *     not keywords — each ranked among the first 1,000 found, so a common word never makes
 *     recall read the whole workspace;
 *  2. only when full text finds nothing: trigram word similarity, for misspelt and partial words.
 * Expired memories never come back. Parameters: workspace, query, tags, agent or null, limit.
 */
function scopeSql(scope: RecallScope['kind']): string {
  const inScope = scope === 'agent' ? '(agent_id = $4::uuid or agent_id is null)' : '(agent_id is null and $4::uuid is null)';
  return `workspace_id = $1 and ${inScope} and ($3::text[] = '{}' or tags @> $3::text[]) and (expires_at is null or expires_at > now())`;
}
const OUT = COLUMNS.split(', ').map((c) => `m.${c}`).join(', ');

export function recallSql(scope: RecallScope['kind']): string {
  const where = scopeSql(scope);
  return `with q as (select plainto_tsquery('simple', $2) as every_word, replace(plainto_tsquery('simple', $2)::text, '&', '|')::tsquery as any_word),
     strict_pool as (select id, search from memories, q where ${where} and search @@ q.every_word limit 1000),
     strict as (
       select id, row_number() over (order by ts_rank_cd(search, q.every_word) desc, id desc) as r
         from strict_pool, q order by ts_rank_cd(search, q.every_word) desc, id desc limit 40),
     pool as (select id, search from memories, q where ${where} and search @@ q.any_word limit 1000),
     loose as (
       select id, row_number() over (order by ts_rank_cd(search, q.any_word) desc, id desc) as r
         from pool, q order by ts_rank_cd(search, q.any_word) desc, id desc limit 40),
     fused as (select id, sum(1.0 / (60 + r)) as score from (select * from strict union all select * from loose) u group by id)
     select ${OUT}, f.score
       from fused f join memories m on m.workspace_id = $1 and m.id = f.id
      order by f.score desc, m.id desc limit $5`;
}

export function recallByTrigramSql(scope: RecallScope['kind']): string {
  return `select ${OUT}, (1.0 / (60 + row_number() over (order by word_similarity($2, m.text) desc, m.id desc))) as score
       from memories m where ${scopeSql(scope).replace(/\b(workspace_id|agent_id|tags|expires_at)\b/g, 'm.$1')} and $2 <% m.text
      order by word_similarity($2, m.text) desc, m.id desc limit $5`;
}
const RECALL_SQL = { agent: recallSql('agent'), shared: recallSql('shared') };
const TRIGRAM_SQL = { agent: recallByTrigramSql('agent'), shared: recallByTrigramSql('shared') };
export const TRIGRAM_THRESHOLD_SQL = "select set_config('pg_trgm.word_similarity_threshold', '0.5', true)";

export async function recallMemories(tx: Tx, workspaceId: string, scope: RecallScope, query: string, tags: string[], limit: number): Promise<Array<MemoryRow & { score: number }>> {
  const values = [workspaceId, query, tags, scope.kind === 'agent' ? scope.agentId : null, limit];
  // Unnamed, so planned for these very words each time: a generic plan (what a prepared statement
  // turns to after five runs) cannot know how common the words are, and picked plans a
  // hundred times slower on a large memory (docs/benchmarks.md).
  let { rows } = await tx.query<MemoryRow & { score: string }>({ text: RECALL_SQL[scope.kind], values });
  if (rows.length === 0) {
    const [, found] = await Promise.all([
      tx.query(TRIGRAM_THRESHOLD_SQL),
      tx.query<MemoryRow & { score: string }>({ text: TRIGRAM_SQL[scope.kind], values }),
    ]);
    rows = found.rows;
  }
  return rows.map((r) => ({ ...r, score: Number(r.score) }));
}

export async function listMemories(tx: Tx, workspaceId: string, q: { agentId?: string | null; search?: string; tags: string[]; limit: number; before?: string }): Promise<MemoryRow[]> {
  const values: unknown[] = [workspaceId, q.tags, q.limit + 1];
  const param = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const conditions = ['workspace_id = $1', "($2::text[] = '{}' or tags @> $2::text[])"];
  if (q.agentId !== undefined) conditions.push(q.agentId === null ? 'agent_id is null' : `agent_id = ${param(q.agentId)}`);
  if (q.search) conditions.push(`search @@ websearch_to_tsquery('simple', ${param(q.search)})`);
  if (q.before) conditions.push(`id < ${param(q.before)}`);
  const { rows } = await tx.query<MemoryRow>(`select ${COLUMNS} from memories where ${conditions.join(' and ')} order by id desc limit $3`, values);
  return rows;
}
