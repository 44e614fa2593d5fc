// What other modules may read of a workspace's tickets (the platform admin's workspace page):
// counts by status and the latest few, in the caller's transaction.
import type { Tx } from '../../kernel/db/database.ts';
import type { TicketStatus } from './support.schema.ts';

export type TicketsReport = {
  total: number;
  byStatus: Partial<Record<TicketStatus, number>>;
  latest: Array<{ id: string; subject: string; status: TicketStatus; priority: string; createdAt: string; lastActivityAt: string }>;
};

export async function reportTickets(tx: Tx, workspaceId: string, latest: number): Promise<TicketsReport> {
  const [counts, rows] = await Promise.all([
    tx.query<{ status: TicketStatus; n: number }>('select status, count(*)::int as n from support_tickets where workspace_id = $1 group by status', [workspaceId]),
    tx.query<{ id: string; subject: string; status: TicketStatus; priority: string; created_at: Date; last_activity_at: Date }>(
      'select id, subject, status, priority, created_at, last_activity_at from support_tickets where workspace_id = $1 order by id desc limit $2', [workspaceId, latest]),
  ]);
  return {
    total: counts.rows.reduce((sum, r) => sum + r.n, 0),
    byStatus: Object.fromEntries(counts.rows.map((r) => [r.status, r.n])) as TicketsReport['byStatus'],
    latest: rows.rows.map((r) => ({ id: r.id, subject: r.subject, status: r.status, priority: r.priority, createdAt: r.created_at.toISOString(), lastActivityAt: r.last_activity_at.toISOString() })),
  };
}
