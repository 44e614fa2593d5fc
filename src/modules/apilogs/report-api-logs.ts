// What other modules may read of a workspace's API log: request counts in a window, by class of
// answer (the platform admin's workspace page). Served by (workspace_id, created_at).
import type { Tx } from '../../kernel/db/database.ts';

export type ApiTrafficReport = { requests: number; clientErrors: number; serverErrors: number };

export async function reportApiTraffic(tx: Tx, workspaceId: string, from: Date, to: Date): Promise<ApiTrafficReport> {
  const { rows } = await tx.query<{ n: number; c: number; s: number }>(
    `select count(*)::int as n, count(*) filter (where status between 400 and 499)::int as c, count(*) filter (where status >= 500)::int as s
       from api_logs where workspace_id = $1 and created_at >= $2 and created_at < $3`,
    [workspaceId, from, to]);
  return { requests: rows[0].n, clientErrors: rows[0].c, serverErrors: rows[0].s };
}

export type EndpointPoint = { at: string; requests: number; errors: number; p50: number | null; p95: number | null; p99: number | null };
export type EndpointTotals = { requests: number; clientErrors: number; serverErrors: number; p50: number | null; p95: number | null; p99: number | null };

const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

/**
 * Requests to one family of endpoints (`prefix`: a route pattern prefix such as /api/v1/data/) of
 * a workspace, per bucket: count, errors, latency percentiles; and the window's totals.
 */
export async function reportEndpointSeries(tx: Tx, workspaceId: string, options: { prefix: string; from: Date; to: Date; bucketSeconds: number }): Promise<{ points: EndpointPoint[]; totals: EndpointTotals }> {
  const like = `${options.prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const [series, totals] = await Promise.all([
    tx.query<{ at: Date; requests: number; errors: number; p50: number | null; p95: number | null; p99: number | null }>(
      `select to_timestamp(floor(extract(epoch from created_at) / $4) * $4) as at, count(*)::int as requests,
              count(*) filter (where status >= 400)::int as errors,
              percentile_cont(0.5) within group (order by duration_ms) as p50,
              percentile_cont(0.95) within group (order by duration_ms) as p95,
              percentile_cont(0.99) within group (order by duration_ms) as p99
         from api_logs where workspace_id = $1 and created_at >= $2 and created_at < $3 and endpoint like $5
        group by 1 order by 1`,
      [workspaceId, options.from, options.to, options.bucketSeconds, like]),
    tx.query<{ requests: number; c: number; s: number; p50: number | null; p95: number | null; p99: number | null }>(
      `select count(*)::int as requests, count(*) filter (where status between 400 and 499)::int as c, count(*) filter (where status >= 500)::int as s,
              percentile_cont(0.5) within group (order by duration_ms) as p50,
              percentile_cont(0.95) within group (order by duration_ms) as p95,
              percentile_cont(0.99) within group (order by duration_ms) as p99
         from api_logs where workspace_id = $1 and created_at >= $2 and created_at < $3 and endpoint like $4`,
      [workspaceId, options.from, options.to, like]),
  ]);
  const t = totals.rows[0];
  return {
    points: series.rows.map((r) => ({ at: r.at.toISOString(), requests: r.requests, errors: r.errors, p50: round(r.p50), p95: round(r.p95), p99: round(r.p99) })),
    totals: { requests: t.requests, clientErrors: t.c, serverErrors: t.s, p50: round(t.p50), p95: round(t.p95), p99: round(t.p99) },
  };
}

export type EndpointUsage = { workspaceId: string; requests: number; errors: number; p95: number | null };

/** The same family of endpoints across the installation (platform path): the busiest workspaces. */
export async function reportEndpointUsage(tx: Tx, options: { prefix: string; from: Date; to: Date; limit: number }): Promise<EndpointUsage[]> {
  const like = `${options.prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const { rows } = await tx.query<{ workspace_id: string; requests: number; errors: number; p95: number | null }>(
    `select workspace_id, count(*)::int as requests, count(*) filter (where status >= 400)::int as errors,
            percentile_cont(0.95) within group (order by duration_ms) as p95
       from api_logs where workspace_id is not null and created_at >= $1 and created_at < $2 and endpoint like $3
      group by workspace_id order by requests desc limit $4`,
    [options.from, options.to, like, options.limit]);
  return rows.map((r) => ({ workspaceId: r.workspace_id, requests: r.requests, errors: r.errors, p95: round(r.p95) }));
}
