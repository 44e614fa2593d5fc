// A reservation whose call never settled (its process was killed mid-call) holds room on the
// counters until it expires; this job, every minute, gives that room back.
import type { Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { UsageContext } from './usage.context.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import { releaseOnCounter, takeExpiredReservations } from './usage.store.ts';

export const RELEASE_QUEUE = 'usage.release_expired';
export const RELEASE_CRON = '* * * * *';

/** Release up to `limit` expired reservations per transaction until none is left; the count released. */
export async function releaseExpiredReservations(ctx: UsageContext, limit = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await ctx.db.withPlatform(async (tx) => {
      const expired = await takeExpiredReservations(tx, limit);
      for (const r of expired) {
        for (const s of r.subjects) await releaseOnCounter(tx, r.workspace_id, r.period, s.scope, s.subjectId, toNumber(r.tokens), toNumber(r.cost_micros));
      }
      return expired.length;
    });
    total += n;
    if (n < limit) return total;
  }
}

export function defineReleaseJob(jobs: JobEngine, ctx: UsageContext): void {
  jobs.define({
    name: RELEASE_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 5 * 60_000, backoff: { baseMs: 10_000, maxMs: 60_000 },
    handler: async () => {
      const released = await releaseExpiredReservations(ctx);
      if (released > 0) ctx.log.warn({ released }, 'released expired usage reservations (calls that never settled)');
    },
  });
}

export async function scheduleRelease(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: RELEASE_QUEUE, cron: RELEASE_CRON, queue: RELEASE_QUEUE, payload: {}, workspaceId: null });
}
