import type { Tx } from '../../kernel/db/database.ts';

export type OutboxMessage = {
  id: string;
  workspaceId: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  kind: string;
  status: 'pending' | 'sent' | 'failed' | 'stored';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
};

export type NewMail = { workspaceId: string; to: string; subject: string; text: string; html?: string; kind?: string };

const COLUMNS = `id, workspace_id, to_address, subject, text_body, html_body, kind, status, attempts, last_error, created_at, sent_at`;

type Row = {
  id: string; workspace_id: string; to_address: string; subject: string; text_body: string; html_body: string | null;
  kind: string; status: OutboxMessage['status']; attempts: number; last_error: string | null; created_at: Date; sent_at: Date | null;
};

function toMessage(r: Row): OutboxMessage {
  return {
    id: r.id, workspaceId: r.workspace_id, to: r.to_address, subject: r.subject, text: r.text_body, html: r.html_body,
    kind: r.kind, status: r.status, attempts: r.attempts, lastError: r.last_error,
    createdAt: r.created_at.toISOString(), sentAt: r.sent_at ? r.sent_at.toISOString() : null,
  };
}

/** Insert in the caller's transaction: the mail exists only if the change that made it commits. */
export async function insertMail(tx: Tx, mail: NewMail, status: 'pending' | 'stored'): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into outbox_messages (workspace_id, to_address, subject, text_body, html_body, kind, status)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [mail.workspaceId, mail.to, mail.subject, mail.text, mail.html ?? null, mail.kind ?? 'generic', status],
  );
  return rows[0].id;
}

export async function listMail(tx: Tx, workspaceId: string, options: { limit: number; before?: string }): Promise<OutboxMessage[]> {
  const { rows } = await tx.query<Row>(
    `select ${COLUMNS} from outbox_messages
     where workspace_id = $1 and ($2::uuid is null or id < $2::uuid)
     order by id desc limit $3`,
    [workspaceId, options.before ?? null, options.limit],
  );
  return rows.map(toMessage);
}

export async function getMail(tx: Tx, workspaceId: string, id: string): Promise<OutboxMessage | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from outbox_messages where workspace_id = $1 and id = $2`, [workspaceId, id]);
  return rows[0] ? toMessage(rows[0]) : null;
}

/** Every workspace's outbox, newest first (platform path only: the admin's dev mailbox). */
export async function listAllMail(tx: Tx, options: { limit: number; before?: string }): Promise<OutboxMessage[]> {
  const { rows } = await tx.query<Row>(
    `select ${COLUMNS} from outbox_messages
     where ($1::uuid is null or id < $1::uuid)
     order by id desc limit $2`,
    [options.before ?? null, options.limit],
  );
  return rows.map(toMessage);
}

/** Pending mails, oldest first (platform path: resuming delivery at start). */
export async function selectPendingIds(tx: Tx, limit: number): Promise<Array<{ id: string; workspaceId: string }>> {
  const { rows } = await tx.query<{ id: string; workspace_id: string }>(
    `select id, workspace_id from outbox_messages where status = 'pending' order by created_at limit $1`, [limit]);
  return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id }));
}

/** A mail still waiting for delivery, or null (sent, failed for good, unknown). */
export async function findPending(tx: Tx, workspaceId: string, id: string): Promise<OutboxMessage | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from outbox_messages where workspace_id = $1 and id = $2 and status = 'pending'`, [workspaceId, id]);
  return rows[0] ? toMessage(rows[0]) : null;
}

export async function markSent(tx: Tx, m: OutboxMessage): Promise<void> {
  await tx.query(`update outbox_messages set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null
                  where workspace_id = $1 and id = $2`, [m.workspaceId, m.id]);
}

/** One failed attempt; the last one leaves the mail `failed`, else it stays `pending` for the job's retry. */
export async function markFailed(tx: Tx, m: OutboxMessage, error: string, isLast: boolean): Promise<void> {
  await tx.query(`update outbox_messages set attempts = attempts + 1, last_error = $3, status = case when $4 then 'failed' else 'pending' end
                  where workspace_id = $1 and id = $2`, [m.workspaceId, m.id, error.slice(0, 500), isLast]);
}
