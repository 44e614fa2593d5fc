// When jobs run: retry backoff with full jitter, and the next fire of a cron expression.
import { Cron } from 'croner';

export const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 10 * 60 * 1000 };

/** Full jitter: a random delay in [0, min(max, base · 2^(attempt-1))]. */
export function backoffMs(attempt: number, backoff: { baseMs: number; maxMs: number } = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.random() * ceiling);
}

/** The next run of a cron expression after `from`, or null if it never fires again. Throws on a bad expression or timezone. */
export function nextCronRun(cron: string, timezone = 'UTC', from: Date = new Date()): Date | null {
  return new Cron(cron, { timezone, paused: true }).nextRun(from);
}

export function isValidCron(cron: string, timezone = 'UTC'): boolean {
  try {
    return nextCronRun(cron, timezone) !== null;
  } catch {
    return false;
  }
}
