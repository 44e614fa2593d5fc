// The hourly retention of API logs on the job engine: one platform job per tick (the engine's
// cron fires each tick once, whatever the number of workers).
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { applyApiLogRetention } from './apply-retention.ts';

export const RETENTION_QUEUE = 'api_logs.retention';
export const RETENTION_CRON = '17 * * * *';

export function defineRetentionJob(jobs: JobEngine, db: Database, log: Logger): void {
  jobs.define({
    name: RETENTION_QUEUE,
    concurrency: 1,
    maxAttempts: 3,
    timeoutMs: 15 * 60 * 1000,
    backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
    handler: async (job) => {
      await applyApiLogRetention(db, { log, signal: job.signal });
    },
  });
}

/** Create or update the cron schedule (idempotent), in the caller's platform transaction. */
export async function scheduleRetention(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: RETENTION_QUEUE, cron: RETENTION_CRON, queue: RETENTION_QUEUE, payload: {}, workspaceId: null });
}
