// Memories past their expiry are already invisible (every read filters `expires_at > now()`);
// this hourly job (`memory.expire`, cron 7 * * * *) deletes them, in batches of 5,000 (one short
// platform transaction each, through the partial index on expires_at), so they stop counting
// against the quotas (the counters' trigger moves with each delete). It also queues the embedding
// job of any workspace whose memories are not all embedded with its model (embed-memories.job.ts).
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { deleteInBatches } from '../../kernel/db/delete-in-batches.ts';
import { queueEmbeddingBacklogs } from './embed-memories.job.ts';

export const MEMORY_EXPIRE_QUEUE = 'memory.expire';

export async function deleteExpiredMemories(db: Database, options: { now?: Date; signal?: AbortSignal } = {}): Promise<number> {
  return deleteInBatches(db, (limit) =>
    `with gone as (delete from memories where (workspace_id, id) in (
       select workspace_id, id from memories where expires_at is not null and expires_at <= $1 limit ${limit}) returning 1)
     select count(*) as n from gone`, [options.now ?? new Date()], { signal: options.signal });
}

export function defineMemoryExpiryJob(jobs: JobEngine, db: Database, log: Logger): void {
  jobs.define({
    name: MEMORY_EXPIRE_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
    handler: async (job) => {
      const deleted = await deleteExpiredMemories(db, { signal: job.signal });
      if (deleted) log.info({ deleted }, 'expired memories deleted');
      // And the workspaces whose memories are not all embedded yet get their embedding job.
      const behind = await queueEmbeddingBacklogs(jobs, db);
      if (behind) log.info({ workspaces: behind }, 'memory embedding queued for workspaces behind');
    },
  });
}

export async function scheduleMemoryExpiry(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: MEMORY_EXPIRE_QUEUE, cron: '7 * * * *', queue: MEMORY_EXPIRE_QUEUE, payload: {}, workspaceId: null });
}
