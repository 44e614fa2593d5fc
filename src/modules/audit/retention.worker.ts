// Applies audit retention periodically in worker processes (the job engine's cron takes this
// over later). Several workers may run it at once: deletions of the same prefix are idempotent
// and the anchor only moves forward.
import type { KernelDeps, Worker } from '../../kernel/module.ts';
import { applyRetention } from './apply-retention.ts';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_RUN_DELAY_MS = 30 * 1000;

export function createRetentionWorker({ db, log }: KernelDeps, options: { intervalMs?: number; firstRunDelayMs?: number } = {}): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let isStopped = false;

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      if (isStopped) return;
      running = applyRetention(db, { log })
        .catch((err: unknown) => log.error({ err }, 'audit retention run failed'))
        .finally(() => { if (!isStopped) schedule(options.intervalMs ?? RETENTION_INTERVAL_MS); });
    }, delay);
    timer.unref();
  };

  return {
    name: 'audit-retention',
    start() {
      isStopped = false;
      schedule(options.firstRunDelayMs ?? FIRST_RUN_DELAY_MS);
    },
    async stop() {
      isStopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
