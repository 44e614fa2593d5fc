// Embeddings for vector recall, off the write path: `remember` (and an edit of the text) queues
// `memory.embed` for the workspace when it names an embedding model; the job embeds the
// workspace's memories that have none for that model, 64 per gateway call (metered to the
// workspace), newest first, until none is left. One live job per workspace (its idempotency key):
// a memory kept while the job runs is picked up by its next batch; the hourly sweep
// (memory.expire) queues the job for any workspace still behind (a model just set, a provider
// that was down). A provider's refusal fails the attempt (retried with backoff); recall meanwhile
// stays lexical for the memories not yet embedded.
import { Type } from '@fastify/type-provider-typebox';
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { defineSetting } from '../../kernel/settings.ts';

export const MEMORY_EMBED_QUEUE = 'memory.embed';
const BATCH = 64;

export const MEMORY_EMBEDDING_SETTING = defineSetting({
  key: 'memory.embedding_model',
  description: 'The embedding model (an alias or provider/model of the AI gateway) that makes recall semantic: memories are embedded after they are kept, and recall adds the nearest ones by meaning to the lexical matches; empty (the default): recall by words only',
  schema: Type.String({ maxLength: 200, pattern: '^[^\\s]*$' }),
  default: '',
});

/** Computes embeddings through the AI gateway (metered to the workspace). */
export type Embedder = (workspaceId: string, model: string, texts: string[], signal?: AbortSignal) => Promise<number[][]>;

export async function embeddingModelOf(tx: Tx, workspaceId: string): Promise<string | null> {
  const { rows } = await tx.query<{ value: unknown }>('select value from workspace_setting_values where workspace_id = $1 and key = $2', [workspaceId, MEMORY_EMBEDDING_SETTING.key]);
  const value = rows[0]?.value;
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Queue the workspace's embedding job (in the caller's transaction; one live per workspace). */
export async function queueEmbedding(jobs: JobEngine, tx: Tx, workspaceId: string): Promise<void> {
  await jobs.enqueue(tx, MEMORY_EMBED_QUEUE, { workspaceId }, { workspaceId, actor: { type: 'system', id: null }, idempotencyKey: `memory.embed:${workspaceId}` });
}

/** Embed the workspace's memories that lack an embedding of its model; returns how many were embedded. */
export async function embedBacklog(db: Database, embed: Embedder, workspaceId: string, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) break;
    const batch = await db.withWorkspace(workspaceId, async (tx) => {
      const model = await embeddingModelOf(tx, workspaceId);
      if (!model) return null;
      const { rows } = await tx.query<{ id: string; text: string }>(
        `select id, text from memories where workspace_id = $1 and (embedding is null or embedding_model is distinct from $2)
           and (expires_at is null or expires_at > now()) order by id desc limit ${BATCH}`, [workspaceId, model]);
      return { model, rows };
    });
    if (!batch || batch.rows.length === 0) break;
    const vectors = await embedEach(embed, workspaceId, batch.model, batch.rows.map((r) => r.text), signal);
    await db.withWorkspace(workspaceId, async (tx) => {
      // Only if the text is still the one embedded (an edit meanwhile queued its own embedding).
      await tx.query(
        `update memories m set embedding = v.embedding::real[], embedding_model = $2
           from (select * from unnest($3::uuid[], $4::text[], $5::text[]) as x(id, text, embedding)) v
          where m.workspace_id = $1 and m.id = v.id and m.text = v.text`,
        [workspaceId, batch.model, batch.rows.map((r) => r.id), batch.rows.map((r) => r.text), vectors.map((v) => `{${v.join(',')}}`)]);
    });
    total += batch.rows.length;
    if (batch.rows.length < BATCH) break;
  }
  return total;
}

const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * The batch's vectors, one per text. When the model refuses the batch, each text is tried alone:
 * one the model cannot take (too long for it, refused) gets an empty vector — kept as "tried",
 * never recalled by meaning, never tried again with this model — so it cannot stall the others.
 * When every text fails alone too, it is the provider (down, no key): the attempt fails and the
 * job retries later. An answer of the wrong shape (fewer vectors, not numbers) is a failure too.
 */
async function embedEach(embed: Embedder, workspaceId: string, model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> {
  const checked = (vectors: number[][], n: number) => {
    if (vectors.length !== n || !vectors.every(isVector)) throw new Error(`the embedding model answered ${vectors.length} usable vector(s) for ${n} text(s)`);
    return vectors;
  };
  try {
    return checked(await embed(workspaceId, model, texts, signal), texts.length);
  } catch (err) {
    if (texts.length === 1 || signal?.aborted) throw err;
    const alone = await Promise.all(texts.map((t) => embed(workspaceId, model, [t], signal).then((v) => checked(v, 1)[0], () => null)));
    if (alone.every((v) => v === null)) throw err;
    return alone.map((v) => v ?? []);
  }
}

export function defineMemoryEmbedJob(jobs: JobEngine, db: Database, log: Logger, embed: Embedder): void {
  jobs.define<{ workspaceId: string }>({
    name: MEMORY_EMBED_QUEUE, concurrency: 4, maxAttempts: 5, timeoutMs: 10 * 60_000, backoff: { baseMs: 30_000, maxMs: 30 * 60_000 },
    handler: async (job) => {
      const embedded = await embedBacklog(db, embed, job.payload.workspaceId, job.signal);
      if (embedded) log.info({ workspaceId: job.payload.workspaceId, embedded }, 'memories embedded');
    },
  });
}

/** The workspaces with an embedding model and memories not embedded with it (the hourly sweep; platform path). */
export async function queueEmbeddingBacklogs(jobs: JobEngine, db: Database): Promise<number> {
  return db.withPlatform(async (tx) => {
    const { rows } = await tx.query<{ workspace_id: string }>(
      `select s.workspace_id from workspace_setting_values s
        where s.key = $1 and s.value <> '""'::jsonb and exists (
          select 1 from memories m where m.workspace_id = s.workspace_id and (m.embedding is null or m.embedding_model is distinct from s.value #>> '{}')
            and (m.expires_at is null or m.expires_at > now()))
        limit 1000`, [MEMORY_EMBEDDING_SETTING.key]);
    for (const r of rows) await queueEmbedding(jobs, tx, r.workspace_id);
    return rows.length;
  });
}
