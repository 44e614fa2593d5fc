// What other modules may read of a workspace's requests (the platform admin's workspace page):
// counts by status and the latest few, in the caller's transaction.
import type { Tx } from '../../kernel/db/database.ts';
import type { RequestStatus } from './pipeline.ts';

export type RequestsReport = {
  total: number;
  byStatus: Partial<Record<RequestStatus, number>>;
  latest: Array<{ id: string; title: string; status: RequestStatus; createdAt: string; statusChangedAt: string }>;
};

export async function reportRequests(tx: Tx, workspaceId: string, latest: number): Promise<RequestsReport> {
  const [counts, rows] = await Promise.all([
    tx.query<{ status: RequestStatus; n: number }>('select status, count(*)::int as n from workflow_requests where workspace_id = $1 group by status', [workspaceId]),
    tx.query<{ id: string; title: string; status: RequestStatus; created_at: Date; status_changed_at: Date }>(
      'select id, title, status, created_at, status_changed_at from workflow_requests where workspace_id = $1 order by id desc limit $2', [workspaceId, latest]),
  ]);
  const byStatus = Object.fromEntries(counts.rows.map((r) => [r.status, r.n])) as RequestsReport['byStatus'];
  return {
    total: counts.rows.reduce((sum, r) => sum + r.n, 0),
    byStatus,
    latest: rows.rows.map((r) => ({ id: r.id, title: r.title, status: r.status, createdAt: r.created_at.toISOString(), statusChangedAt: r.status_changed_at.toISOString() })),
  };
}
