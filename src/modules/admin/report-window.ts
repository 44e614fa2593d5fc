// The time window of an admin report: [from, to), `to` defaulting to now and `from` to 30 days
// before `to`; `from` must be before `to`, and a report may cap the window's length.
import { adminErrors } from './admin.errors.ts';

const DAY_MS = 86_400_000;

export function reportWindow(query: { from?: string; to?: string }, options: { now?: Date; maxDays?: number } = {}): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : (options.now ?? new Date());
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw adminErrors.create('FILTER_INVALID', '`from` must be before `to`');
  if (options.maxDays !== undefined && to.getTime() - from.getTime() > options.maxDays * DAY_MS) {
    throw adminErrors.create('FILTER_INVALID', `the window is at most ${options.maxDays} days`);
  }
  return { from, to };
}
