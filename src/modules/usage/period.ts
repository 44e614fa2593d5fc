// Quotas run per calendar month in UTC: a period is named by its first day.

/** 'YYYY-MM-01' of the month holding `at` (UTC). */
export function periodOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** The first instant of the next period. */
export function periodEnd(period: string): Date {
  const start = new Date(`${period}T00:00:00Z`);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** How far into its period `at` is, from 0 to 1. */
export function elapsedFraction(period: string, at: Date): number {
  const start = new Date(`${period}T00:00:00Z`).getTime();
  const end = periodEnd(period).getTime();
  return Math.min(1, Math.max(0, (at.getTime() - start) / (end - start)));
}
