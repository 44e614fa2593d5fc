// The minute's health sample on the job engine (one platform job per cron tick).
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { recordHealthSample } from './record-health-sample.ts';

export const HEALTH_SAMPLE_QUEUE = 'admin.health_sample';
export const HEALTH_SAMPLE_CRON = '* * * * *';

export function defineHealthSampleJob(jobs: JobEngine, db: Database, log: Logger): void {
  jobs.define({
    name: HEALTH_SAMPLE_QUEUE,
    concurrency: 1,
    // A late sample is worth nothing: its minute is gone.
    maxAttempts: 1,
    timeoutMs: 30_000,
    handler: async () => {
      await recordHealthSample({ db, log, jobs });
    },
  });
}

export async function scheduleHealthSample(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: HEALTH_SAMPLE_QUEUE, cron: HEALTH_SAMPLE_CRON, queue: HEALTH_SAMPLE_QUEUE, payload: {}, workspaceId: null });
}
