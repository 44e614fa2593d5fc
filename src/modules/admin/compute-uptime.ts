// Uptime from health samples (one per minute, written by the `admin.health_sample` job).
//
// The rule: uptime = minutes with an OK sample / minutes expected, over the window. Minutes are
// expected from the later of the window's start and the FIRST SAMPLE EVER (when tracking began:
// an installation is not "down" before it existed) up to now; the current minute counts only
// once it has its sample. A minute without a sample counts as down: nothing could record it
// (the database or every worker was unreachable, or the platform was stopped while it was
// expected up). Null when nothing was ever sampled in the window.
import type { Tx } from '../../kernel/db/database.ts';
import { selectHealthWindow } from './dashboard.store.ts';

const MINUTE_MS = 60_000;

export type Uptime = { ratio: number | null; okMinutes: number; expectedMinutes: number; since: string | null };

export function floorMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

function ceilMinute(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / MINUTE_MS) * MINUTE_MS);
}

export async function computeUptime(tx: Tx, windowMs: number, now: Date): Promise<Uptime> {
  const nowMinute = floorMinute(now);
  const windowStart = ceilMinute(new Date(now.getTime() - windowMs));
  const w = await selectHealthWindow(tx, windowStart, nowMinute);
  if (w.firstMinute === null || w.firstMinute.getTime() > nowMinute.getTime()) return { ratio: null, okMinutes: 0, expectedMinutes: 0, since: null };
  const start = new Date(Math.max(windowStart.getTime(), w.firstMinute.getTime()));
  const expected = Math.max(w.sampled, Math.round((nowMinute.getTime() - start.getTime()) / MINUTE_MS) + (w.hasCurrent ? 1 : 0));
  if (expected === 0) return { ratio: null, okMinutes: 0, expectedMinutes: 0, since: start.toISOString() };
  return { ratio: Math.round((w.ok / expected) * 1_000_000) / 1_000_000, okMinutes: w.ok, expectedMinutes: expected, since: start.toISOString() };
}
