// Retention jobs delete old rows a batch at a time, each batch one short platform transaction
// (no long lock, no huge WAL burst), until a batch comes back short or the job is cancelled.
import type { Database } from './database.ts';
import { toNumber } from './pool.ts';

/**
 * `deleteSql(limit)` is a statement deleting at most `limit` rows and answering their number as
 * `n` (e.g. `with gone as (delete … limit ${limit}) returning 1) select count(*) as n from gone`).
 * Returns the rows deleted in all.
 */
export async function deleteInBatches(db: Database, deleteSql: (limit: number) => string, values: unknown[], options: { batch?: number; signal?: AbortSignal } = {}): Promise<number> {
  const batch = options.batch ?? 5_000;
  let deleted = 0;
  for (;;) {
    const n = await db.withPlatform(async (tx) => toNumber((await tx.query<{ n: string }>(deleteSql(batch), values)).rows[0].n));
    deleted += n;
    if (n < batch || options.signal?.aborted) return deleted;
  }
}
