// The platform dashboard's own reads (platform path only): health_samples (migrations/0014), and
// the workspace names and live workspaces from tenancy's published view. What other modules own
// comes through their report doors (platform-reports.ts).
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber as num } from '../../kernel/db/pool.ts';


export type HealthWindow = { firstMinute: Date | null; ok: number; sampled: number; hasCurrent: boolean };

/** Samples of [fromMinute, nowMinute], and the first sample ever (when tracking began). */
export async function selectHealthWindow(tx: Tx, fromMinute: Date, nowMinute: Date): Promise<HealthWindow> {
  const { rows } = await tx.query<{ first_minute: Date | null; ok: number; sampled: number; has_current: boolean | null }>(
    `select (select min(minute) from health_samples) as first_minute,
            count(*) filter (where is_db_ok) as ok, count(*) as sampled, coalesce(bool_or(minute = $2), false) as has_current
       from health_samples where minute >= $1 and minute <= $2`,
    [fromMinute, nowMinute],
  );
  const r = rows[0];
  return { firstMinute: r.first_minute, ok: num(r.ok), sampled: num(r.sampled), hasCurrent: r.has_current === true };
}

export type HealthSampleRow = { minute: Date; isDbOk: boolean; dbLatencyMs: number | null; queueDepth: number | null; oldestPendingSeconds: number | null };

export async function selectLatestHealthSample(tx: Tx): Promise<HealthSampleRow | null> {
  const { rows } = await tx.query<{ minute: Date; is_db_ok: boolean; db_latency_ms: number | null; queue_depth: number | null; oldest_pending_seconds: number | null }>(
    `select minute, is_db_ok, db_latency_ms, queue_depth, oldest_pending_seconds from health_samples order by minute desc limit 1`,
  );
  const r = rows[0];
  return r ? { minute: r.minute, isDbOk: r.is_db_ok, dbLatencyMs: r.db_latency_ms, queueDepth: r.queue_depth, oldestPendingSeconds: r.oldest_pending_seconds } : null;
}

export type NewHealthSample = { minute: Date; isDbOk: boolean; dbLatencyMs: number | null; queueDepth: number | null; oldestPendingSeconds: number | null; details: unknown };

/** One sample per minute, whichever worker writes first; samples past `keepSince` are pruned. */
export async function insertHealthSample(tx: Tx, sample: NewHealthSample, keepSince: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into health_samples (minute, is_db_ok, db_latency_ms, queue_depth, oldest_pending_seconds, details)
     values ($1, $2, $3, $4, $5, $6) on conflict (minute) do nothing`,
    [sample.minute, sample.isDbOk, sample.dbLatencyMs, sample.queueDepth, sample.oldestPendingSeconds, sample.details === undefined ? null : JSON.stringify(sample.details)],
  );
  await tx.query('delete from health_samples where minute < $1', [keepSince]);
  return (rowCount ?? 0) > 0;
}

/** Names of these workspaces (tenancy's workspace_directory). */
export async function selectWorkspaceNames(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await tx.query<{ id: string; name: string }>('select id, name from workspace_directory where id = any($1::uuid[])', [ids]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Workspaces that are not deleted. */
export async function selectLiveWorkspaceIds(tx: Tx): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(`select id from workspace_directory where status <> 'deleted'`);
  return rows.map((r) => r.id);
}
