// What the platform admin's installation-wide reports read of the API log (platform path, in the
// caller's transaction): 5xx counts, hourly 5xx, which workspaces made requests, 5xx answers as a
// keyset page. Served by api_logs_server_errors_idx, the BRIN on created_at and
// (workspace_id, created_at).
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber as num } from '../../kernel/db/pool.ts';


export async function countServerErrors(tx: Tx, since: Date): Promise<number> {
  const { rows } = await tx.query<{ n: number }>('select count(*) as n from api_logs where status >= 500 and created_at >= $1', [since]);
  return num(rows[0].n);
}

/** Per hour since `since` (truncated): 5xx answers. */
export async function hourlyServerErrors(tx: Tx, since: Date): Promise<Array<{ hour: Date; serverErrors: number }>> {
  const { rows } = await tx.query<{ hour: Date; n: number }>(
    `select date_trunc('hour', created_at) as hour, count(*) as n from api_logs where status >= 500 and created_at >= $1 group by 1`, [since]);
  return rows.map((r) => ({ hour: r.hour, serverErrors: num(r.n) }));
}

/** Which of these workspaces made an API request since `since` (one index probe each). */
export async function activeAmong(tx: Tx, workspaceIds: string[], since: Date): Promise<Set<string>> {
  if (workspaceIds.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(
    `select w.id from unnest($1::uuid[]) as w(id)
      where exists (select 1 from api_logs l where l.workspace_id = w.id and l.created_at >= $2)`, [workspaceIds, since]);
  return new Set(rows.map((r) => r.id));
}

export type ServerErrorRow = {
  id: string; occurredAt: Date; workspaceId: string | null; code: string | null; message: string | null;
  method: string; endpoint: string; status: number; requestId: string | null;
};

/** 5xx answers, newest first by (created_at, id), after a keyset. */
export async function serverErrorPage(
  tx: Tx, filters: { workspaceId?: string; from?: Date; to?: Date }, after: { occurredAt: string; id: string } | undefined, limit: number,
): Promise<ServerErrorRow[]> {
  const values: unknown[] = [limit];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ['l.status >= 500'];
  if (filters.workspaceId) where.push(`l.workspace_id = ${param(filters.workspaceId)}`);
  if (filters.from) where.push(`l.created_at >= ${param(filters.from)}`);
  if (filters.to) where.push(`l.created_at < ${param(filters.to)}`);
  if (after) where.push(`(l.created_at, l.id) < (${param(after.occurredAt)}::timestamptz, ${param(after.id)}::uuid)`);
  const { rows } = await tx.query<{ id: string; created_at: Date; workspace_id: string | null; code: string | null; message: string | null; method: string; endpoint: string; status: number; request_id: string | null }>(
    `select l.id, l.created_at, l.workspace_id, l.error_code as code, coalesce(l.response_body->>'detail', l.response_body->>'title') as message,
            l.method, l.endpoint, l.status::int as status, l.request_id
       from api_logs l where ${where.join(' and ')} order by l.created_at desc, l.id desc limit $1`, values);
  return rows.map((r) => ({
    id: r.id, occurredAt: r.created_at, workspaceId: r.workspace_id, code: r.code, message: r.message, method: r.method, endpoint: r.endpoint, status: r.status, requestId: r.request_id,
  }));
}
