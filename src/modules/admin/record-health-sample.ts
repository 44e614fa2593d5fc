// One health sample a minute (job `admin.health_sample`, cron `* * * * *`): is the database
// reachable from the request pool and how fast, and the job queue's depth. A sample that can't
// be written leaves its minute empty, which uptime counts as down (compute-uptime.ts).
import { performance } from 'node:perf_hooks';
import type { Database } from '../../kernel/db/database.ts';
import type { JobEngine, QueueStats } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { floorMinute } from './compute-uptime.ts';
import { insertHealthSample } from './dashboard.store.ts';

const KEEP_DAYS = 35;
const DAY_MS = 24 * 60 * 60 * 1000;

export type HealthSample = { minute: string; isDbOk: boolean; dbLatencyMs: number | null; queueDepth: number | null; oldestPendingSeconds: number | null; isNew: boolean };

export async function recordHealthSample(deps: { db: Database; log: Logger; jobs?: JobEngine }, options: { now?: Date } = {}): Promise<HealthSample> {
  const now = options.now ?? new Date();
  let isDbOk = false;
  let dbLatencyMs: number | null = null;
  let dbError: string | undefined;
  const started = performance.now();
  try {
    await deps.db.app.query('select 1');
    dbLatencyMs = Math.round((performance.now() - started) * 100) / 100;
    isDbOk = true;
  } catch (err) {
    dbError = (err as Error).message;
  }
  let stats: QueueStats[] | null = null;
  if (deps.jobs) {
    try {
      stats = await deps.jobs.stats();
    } catch (err) {
      deps.log.warn({ err }, 'health sample: job queue stats unavailable');
    }
  }
  const queueDepth = stats ? stats.reduce((sum, q) => sum + q.pending, 0) : null;
  const oldestPendingSeconds = stats ? stats.reduce((max, q) => Math.max(max, q.oldestPendingSeconds), 0) : null;
  const minute = floorMinute(now);
  const isNew = await deps.db.withPlatform((tx) => insertHealthSample(tx, {
    minute, isDbOk, dbLatencyMs, queueDepth, oldestPendingSeconds,
    details: { ...(dbError ? { dbError: dbError.slice(0, 300) } : {}), ...(stats ? { deadJobs: stats.reduce((sum, q) => sum + q.dead, 0), runningJobs: stats.reduce((sum, q) => sum + q.running, 0) } : {}) },
  }, new Date(now.getTime() - KEEP_DAYS * DAY_MS)));
  return { minute: minute.toISOString(), isDbOk, dbLatencyMs, queueDepth, oldestPendingSeconds, isNew };
}
