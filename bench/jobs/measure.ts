// Small measuring helpers for `npm run bench:jobs`.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export const now = () => performance.now();

/** Nearest-rank percentile (p in 0..100) of an unsorted list; NaN when empty. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(xs: number[]): number {
  const finite = xs.filter((x) => Number.isFinite(x));
  return finite.length ? percentile(finite, 50) : Number.NaN;
}

/** Resolves when `condition()` holds (checked every `everyMs`); false after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 2): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (await condition()) return true;
    await sleep(everyMs);
  }
  return condition();
}

/**
 * Open-loop arrivals: call `send(i)` at a steady `ratePerSecond` for `durationMs`, each call on
 * its own (a slow call never delays the next arrival). Waits for the calls still in flight.
 */
export async function steady(ratePerSecond: number, durationMs: number, send: (i: number) => Promise<void>): Promise<{ sent: number; errors: number; firstError: string | null }> {
  const interval = 1000 / ratePerSecond;
  const total = Math.round(durationMs / interval);
  const inflight = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | null = null;
  const t0 = now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor((now() - t0) / interval) + 1);
    while (i < due) {
      const p: Promise<void> = send(i++).catch((error: unknown) => {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    const wait = t0 + i * interval - now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inflight);
  return { sent: total, errors, firstError };
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);
