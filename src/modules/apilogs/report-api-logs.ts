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
