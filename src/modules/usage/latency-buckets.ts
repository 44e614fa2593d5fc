// Provider latency is kept in rollups as a histogram over fixed bounds (milliseconds), as
// Prometheus does: p50/p95 of a page are read from it, interpolated inside the bucket.
export const LATENCY_BOUNDS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000] as const;

/** SQL giving an event's bucket index (0 … bounds.length), -1 when it has no latency. */
export const LATENCY_BUCKET_SQL = `case when provider_latency_ms is null then -1 else width_bucket(provider_latency_ms, array[${LATENCY_BOUNDS_MS.join(', ')}]) end`;

/** The q-quantile (0 < q < 1) of a histogram {bucket index → count}; null when empty. */
export function quantileOf(histogram: Map<number, number>, q: number): number | null {
  const entries = [...histogram.entries()].filter(([b]) => b >= 0).sort((x, y) => x[0] - y[0]);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const [bucket, count] of entries) {
    if (seen + count >= rank) {
      const lower = bucket === 0 ? 0 : LATENCY_BOUNDS_MS[bucket - 1];
      const upper = bucket < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[bucket] : lower * 2;
      return Math.round(lower + (upper - lower) * ((rank - seen) / count));
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}
