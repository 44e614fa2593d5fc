// Retention of raw usage events, by plan (free 30 days, pro 90, enterprise 365; as API logs):
// daily on the job engine (`usage.retention`, cron 23 3 * * *). Only events already in the
// rollups go (never past the rollups' watermark), so the analytics of any window keep their
// sums: older windows are read from the rollups, whole days and hours. Deletes in batches of
// 5,000, one short platform transaction each; a cancelled run leaves the rest to the next one.
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { deleteInBatches } from '../../kernel/db/delete-in-batches.ts';

export const USAGE_RETENTION_QUEUE = 'usage.retention';
export const USAGE_RETENTION_CRON = '23 3 * * *';
export const USAGE_RETENTION_DAYS: Readonly<Record<string, number>> = { free: 30, pro: 90, enterprise: 365 };
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

export type UsageRetentionRun = { deleted: number; byWorkspace: Array<{ workspaceId: string; deleted: number; retentionDays: number }> };

export async function applyUsageRetention(db: Database, options: { now?: Date; log?: Logger; signal?: AbortSignal } = {}): Promise<UsageRetentionRun> {
  const now = options.now ?? new Date();
  const { workspaces, rolledTo } = await db.withPlatform(async (tx) => ({
    // Only workspaces holding an event older than the shortest retention have work.
    workspaces: (await tx.query<{ id: string; plan: string }>(
      `select w.id, w.plan from workspace_directory w
        where exists (select 1 from usage_events e where e.workspace_id = w.id and e.occurred_at < $1)`, [new Date(now.getTime() - DEFAULT_DAYS * DAY_MS)])).rows,
    rolledTo: (await tx.query<{ rolled_to: Date }>('select rolled_to from usage_rollup_watermark')).rows[0].rolled_to,
  }));
  const run: UsageRetentionRun = { deleted: 0, byWorkspace: [] };
  for (const w of workspaces) {
    if (options.signal?.aborted) break;
    const days = USAGE_RETENTION_DAYS[w.plan] ?? DEFAULT_DAYS;
    // Whole days, and never an event the rollups do not hold yet.
    const cutoff = new Date(Math.min(Math.floor((now.getTime() - days * DAY_MS) / DAY_MS) * DAY_MS, rolledTo.getTime()));
    const deleted = await deleteInBatches(db, (limit) =>
      `with gone as (delete from usage_events where workspace_id = $1 and id in (
         select id from usage_events where workspace_id = $1 and occurred_at < $2 limit ${limit}) returning 1)
       select count(*) as n from gone`, [w.id, cutoff], { signal: options.signal });
    if (deleted > 0) {
      run.deleted += deleted;
      run.byWorkspace.push({ workspaceId: w.id, deleted, retentionDays: days });
      options.log?.info({ workspaceId: w.id, deleted, retentionDays: days }, 'usage events retention applied');
    }
  }
  return run;
}

export function defineUsageRetentionJob(jobs: JobEngine, db: Database, log: Logger): void {
  jobs.define({
    name: USAGE_RETENTION_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 60 * 60_000, backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
    handler: async (job) => {
      await applyUsageRetention(db, { log, signal: job.signal });
    },
  });
}

export async function scheduleUsageRetention(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: USAGE_RETENTION_QUEUE, cron: USAGE_RETENTION_CRON, queue: USAGE_RETENTION_QUEUE, payload: {}, workspaceId: null });
}
