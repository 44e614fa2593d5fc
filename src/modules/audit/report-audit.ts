// What the platform admin's installation-wide activity feed reads of the trail (platform path,
// in the caller's transaction): the latest events of every workspace since a time.
import type { Tx } from '../../kernel/db/database.ts';

export type AuditActivity = {
  id: string; occurredAt: Date; workspaceId: string; action: string; outcome: string;
  actorType: string; actorId: string | null; targetType: string; targetId: string | null;
};

export async function recentEventsAcross(tx: Tx, since: Date, limit: number): Promise<AuditActivity[]> {
  const { rows } = await tx.query<{ id: string; occurred_at: Date; workspace_id: string; action: string; outcome: string; actor_type: string; actor_id: string | null; target_type: string; target_id: string | null }>(
    `select id, occurred_at, workspace_id, action, outcome, actor_type, actor_id::text as actor_id, target_type, target_id::text as target_id
       from audit_events where occurred_at >= $1 order by occurred_at desc, id desc limit $2`, [since, limit]);
  return rows.map((r) => ({
    id: r.id, occurredAt: r.occurred_at, workspaceId: r.workspace_id, action: r.action, outcome: r.outcome,
    actorType: r.actor_type, actorId: r.actor_id, targetType: r.target_type, targetId: r.target_id,
  }));
}
