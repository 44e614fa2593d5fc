// SQL of rate_limit_buckets (tenant table, migration 0006): one atomic lease of tokens.
import type { Database } from '../db/database.ts';

/** Requests per minute by workspace plan (from config). */
export type PlanLimits = { free: number; pro: number; enterprise: number };

export type Lease = {
  /** Tokens granted to this process (0: the window is spent). */
  lease: number;
  /** Tokens handed out in the window so far, by every process, this lease included. */
  granted: number;
  /** The limit in force: the workspace setting if set and lower, else the plan's. */
  perMinute: number;
  /** Seconds from the statement's start (database clock) to the end of the window. */
  resetSeconds: number;
};

// Tokens already handed out in the current window, as seen on the locked row (`b`): a window
// older than one minute counts as empty, and the next lease opens a new one at now().
const BASE = `(case when b.window_start > now() - interval '1 minute' then b.granted else 0 end)`;
// At most what was asked for ($3), what remains, and an eighth of what remains (rounded up), so
// the last tokens of a window are spread thinly across processes (docs/adr/0008).
const LEASE = `greatest(0, least($3::int, excluded.per_minute - ${BASE}, ceil((excluded.per_minute - ${BASE}) / 8.0)::int))`;

/**
 * The limit is resolved in the same statement: the workspace setting `rate_limit.per_minute`
 * may lower its plan's limit, never raise it (workspace admins write settings). The row lock
 * taken by ON CONFLICT DO UPDATE serializes concurrent leases of one bucket, and every SET
 * expression reads the row as it was before this update.
 */
const LEASE_SQL = `
with lim as (
  select least(
           (select (s.value)::int from workspace_setting_values s
             where s.workspace_id = $1 and s.key = 'rate_limit.per_minute' and jsonb_typeof(s.value) = 'number'),
           case w.plan when 'pro' then $5::int when 'enterprise' then $6::int else $4::int end) as per_minute
  from workspace_directory w
  where w.id = $1
)
insert into rate_limit_buckets as b (workspace_id, subject_id, kind, window_start, per_minute, granted, last_lease)
select $1, $2, case when $2::uuid = $1::uuid then 'workspace' else 'api_key' end, now(), lim.per_minute,
       least($3::int, ceil(lim.per_minute / 8.0)::int), least($3::int, ceil(lim.per_minute / 8.0)::int)
from lim
on conflict (workspace_id, subject_id) do update set
  window_start = case when b.window_start > now() - interval '1 minute' then b.window_start else now() end,
  per_minute = excluded.per_minute,
  last_lease = ${LEASE},
  granted = ${BASE} + ${LEASE}
returning last_lease as lease, granted, per_minute,
  extract(epoch from window_start + interval '1 minute' - now())::float8 as reset_seconds`;

/**
 * Take up to `want` tokens (≥ 1) from a bucket: the workspace's own (`subjectId` =
 * `workspaceId`) or one of its API keys'. One statement, one round trip (readInWorkspace).
 */
export async function leaseTokens(db: Database, workspaceId: string, subjectId: string, want: number, limits: PlanLimits): Promise<Lease> {
  const rows = await db.readInWorkspace<{ lease: number; granted: number; per_minute: number; reset_seconds: number }>(workspaceId, {
    name: 'rate_limit_lease',
    text: LEASE_SQL,
    values: [workspaceId, subjectId, want, limits.free, limits.pro, limits.enterprise],
  });
  const row = rows[0];
  // No row: the workspace is not visible under its own binding (it can't be, once authenticated).
  if (!row) throw new Error('rate limit: workspace not found');
  return { lease: row.lease, granted: row.granted, perMinute: row.per_minute, resetSeconds: Number(row.reset_seconds) };
}
