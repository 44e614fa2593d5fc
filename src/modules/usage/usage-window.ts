// The time window of a usage report: [from, to), `to` defaulting to now, `from` to 30 days
// before; at most 400 days.
import { usageErrors } from './usage.errors.ts';

const DAY_MS = 86_400_000;

export function usageWindow(query: { from?: string; to?: string }, now = new Date()): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw usageErrors.create('USAGE_FILTER_INVALID', '`from` must be before `to`');
  if (to.getTime() - from.getTime() > 400 * DAY_MS) throw usageErrors.create('USAGE_FILTER_INVALID', 'The window is at most 400 days');
  return { from, to };
}
