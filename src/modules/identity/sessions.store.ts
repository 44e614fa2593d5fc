// Reads of a user's own sessions (the session service holds the writes of the token flow).
import type { Tx } from '../../kernel/db/database.ts';

export type SessionView = {
  id: string;
  workspaceId: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  revokedAt: string | null;
};

type Row = { id: string; workspace_id: string; created_at: Date; last_used_at: Date; expires_at: Date; ip: string | null; user_agent: string | null; revoked_at: Date | null };

/** Live sessions and those ended in the last 7 days, newest first. */
export async function listUserSessions(tx: Tx, userId: string, limit: number): Promise<SessionView[]> {
  const { rows } = await tx.query<Row>(
    `select id, workspace_id, created_at, last_used_at, expires_at, ip, user_agent, revoked_at from sessions
     where user_id = $1 and expires_at > now() and (revoked_at is null or revoked_at > now() - interval '7 days')
     order by created_at desc, id desc limit $2`,
    [userId, limit],
  );
  return rows.map((r) => ({
    id: r.id, workspaceId: r.workspace_id, createdAt: r.created_at.toISOString(), lastUsedAt: r.last_used_at.toISOString(),
    expiresAt: r.expires_at.toISOString(), ip: r.ip, userAgent: r.user_agent, revokedAt: r.revoked_at ? r.revoked_at.toISOString() : null,
  }));
}

export async function isUserSession(tx: Tx, userId: string, sessionId: string): Promise<boolean> {
  const { rows } = await tx.query('select 1 from sessions where id = $1 and user_id = $2', [sessionId, userId]);
  return rows.length > 0;
}
