// SQL of support_tickets and support_ticket_comments. Tenant queries say `where workspace_id =
// $1` (RLS is the backstop); lookups by id across workspaces run under withPlatform only.
import type { Tx } from '../../kernel/db/database.ts';
import type { AuthorType, CommentView, TicketPriority, TicketStatus, TicketView } from './support.schema.ts';

type TicketRow = {
  workspace_id: string; id: string; subject: string; description: string; priority: TicketPriority; status: TicketStatus;
  assignee_id: string | null; assignee_name: string | null; execution_id: string | null; created_by: string | null;
  created_at: Date; updated_at: Date; last_activity_at: Date; resolved_at: Date | null; closed_at: Date | null;
};

const SELECT = `select t.workspace_id, t.id, t.subject, t.description, t.priority, t.status, t.assignee_id, a.name as assignee_name,
    t.execution_id, t.created_by, t.created_at, t.updated_at, t.last_activity_at, t.resolved_at, t.closed_at
  from support_tickets t left join user_directory a on a.id = t.assignee_id`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toView(r: TicketRow): TicketView {
  return {
    id: r.id, workspaceId: r.workspace_id, subject: r.subject, description: r.description, priority: r.priority, status: r.status,
    assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name ?? '' } : null,
    executionId: r.execution_id, createdBy: r.created_by,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), lastActivityAt: r.last_activity_at.toISOString(),
    resolvedAt: iso(r.resolved_at), closedAt: iso(r.closed_at),
  };
}

export type NewTicket = {
  workspaceId: string; subject: string; description: string; priority: TicketPriority; executionId: string | null;
  createdBy: string | null; createdByKey: string | null;
};

export async function insertTicket(tx: Tx, t: NewTicket): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into support_tickets (workspace_id, subject, description, priority, execution_id, created_by, created_by_key)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [t.workspaceId, t.subject, t.description, t.priority, t.executionId, t.createdBy, t.createdByKey]);
  return rows[0].id;
}

export async function findTicket(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<TicketView | null> {
  const { rows } = await tx.query<TicketRow>(`${SELECT} where t.workspace_id = $1 and t.id = $2${options.forUpdate ? ' for update of t' : ''}`, [workspaceId, id]);
  return rows[0] ? toView(rows[0]) : null;
}

/** Platform path only: a ticket of any workspace, by id. */
export async function findTicketAnywhere(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<TicketView | null> {
  const { rows } = await tx.query<TicketRow>(`${SELECT} where t.id = $1${options.forUpdate ? ' for update of t' : ''}`, [id]);
  return rows[0] ? toView(rows[0]) : null;
}

export type TicketChanges = { status?: TicketStatus; priority?: TicketPriority; assigneeId?: string | null; isActivity?: boolean };

/** Applies the changes; resolved_at and closed_at follow the status (set on entering, cleared on leaving). */
export async function updateTicket(tx: Tx, workspaceId: string, id: string, c: TicketChanges): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [workspaceId, id];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (c.status !== undefined) {
    set('status', c.status);
    sets.push(`resolved_at = case when $${values.length} = 'resolved' then coalesce(resolved_at, now()) when $${values.length} = 'closed' then resolved_at else null end`);
    sets.push(`closed_at = case when $${values.length} = 'closed' then coalesce(closed_at, now()) else null end`);
  }
  if (c.priority !== undefined) set('priority', c.priority);
  if (c.assigneeId !== undefined) set('assignee_id', c.assigneeId);
  if (c.isActivity) sets.push('last_activity_at = now()');
  if (sets.length === 0) return;
  await tx.query(`update support_tickets set ${sets.join(', ')} where workspace_id = $1 and id = $2`, values);
}

export type TicketFilter = { status?: TicketStatus; priority?: TicketPriority; limit: number; cursor?: string };

export async function listTickets(tx: Tx, workspaceId: string, f: TicketFilter): Promise<{ data: TicketView[]; total: number }> {
  const values: unknown[] = [workspaceId, f.status ?? null, f.priority ?? null];
  const where = 't.workspace_id = $1 and ($2::text is null or t.status = $2) and ($3::text is null or t.priority = $3)';
  const page = await tx.query<TicketRow>(`${SELECT} where ${where} and ($4::uuid is null or t.id < $4) order by t.id desc limit $5`, [...values, f.cursor ?? null, f.limit]);
  const count = await tx.query<{ n: string }>(`select count(*) as n from support_tickets t where ${where}`, values);
  return { data: page.rows.map(toView), total: Number(count.rows[0].n) };
}

export type AdminTicketFilter = { status?: TicketStatus | 'active'; priority?: TicketPriority; assigneeId?: string; workspaceId?: string; limit: number; offset: number };
export type WorkspaceRef = { id: string; slug: string; name: string };

/** Platform path: every workspace's tickets, most urgent first, then newest. */
export async function listAllTickets(tx: Tx, f: AdminTicketFilter): Promise<{ data: (TicketView & { workspace: WorkspaceRef })[]; total: number }> {
  const status = f.status === 'active' ? null : (f.status ?? null);
  const values: unknown[] = [status, f.priority ?? null, f.assigneeId === 'none' ? null : (f.assigneeId ?? null), f.workspaceId ?? null];
  const where = [
    f.status === 'active' ? `$1::text is null and t.status in ('open', 'in_progress', 'waiting')` : '($1::text is null or t.status = $1)',
    '($2::text is null or t.priority = $2)',
    f.assigneeId === 'none' ? 't.assignee_id is null and $3::uuid is null' : '($3::uuid is null or t.assignee_id = $3)',
    '($4::uuid is null or t.workspace_id = $4)',
  ].join(' and ');
  const page = await tx.query<TicketRow & { slug: string; workspace_name: string }>(
    `${SELECT.replace('from support_tickets t', ', w.slug, w.name as workspace_name from support_tickets t join workspace_directory w on w.id = t.workspace_id')}
     where ${where}
     order by array_position(array['urgent', 'high', 'normal', 'low'], t.priority), t.id desc limit $5 offset $6`,
    [...values, f.limit, f.offset]);
  const count = await tx.query<{ n: string }>(`select count(*) as n from support_tickets t where ${where}`, values);
  return {
    data: page.rows.map((r) => ({ ...toView(r), workspace: { id: r.workspace_id, slug: r.slug, name: r.workspace_name } })),
    total: Number(count.rows[0].n),
  };
}

export async function findWorkspaceRef(tx: Tx, workspaceId: string): Promise<WorkspaceRef> {
  const { rows } = await tx.query<WorkspaceRef>('select id, slug, name from workspace_directory where id = $1', [workspaceId]);
  return rows[0];
}

/** Platform admins, the only possible assignees. */
export async function listPlatformAdmins(tx: Tx): Promise<{ id: string; name: string; email: string }[]> {
  const { rows } = await tx.query<{ id: string; name: string; email: string }>(
    'select id, name, email from user_directory where is_platform_admin order by lower(name), id');
  return rows;
}

export async function isPlatformAdmin(tx: Tx, userId: string): Promise<boolean> {
  const { rows } = await tx.query('select 1 from user_directory where id = $1 and is_platform_admin', [userId]);
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Comments

type CommentRow = {
  id: string; ticket_id: string; author_type: AuthorType; author_id: string | null; author_name: string | null;
  body: string; is_internal: boolean; created_at: Date;
};

function toComment(r: CommentRow): CommentView {
  return {
    id: r.id, ticketId: r.ticket_id, authorType: r.author_type, authorId: r.author_id, authorName: r.author_name,
    body: r.body, isInternal: r.is_internal, createdAt: r.created_at.toISOString(),
  };
}

export type NewComment = { workspaceId: string; ticketId: string; authorType: AuthorType; authorId: string | null; body: string; isInternal: boolean };

export async function insertComment(tx: Tx, c: NewComment): Promise<CommentView> {
  const { rows } = await tx.query<CommentRow>(
    `with c as (
       insert into support_ticket_comments (workspace_id, ticket_id, author_type, author_id, body, is_internal)
       values ($1, $2, $3, $4, $5, $6) returning id, ticket_id, author_type, author_id, body, is_internal, created_at)
     select c.*, u.name as author_name from c left join user_directory u on u.id = c.author_id and c.author_type in ('user', 'platform_admin')`,
    [c.workspaceId, c.ticketId, c.authorType, c.authorId, c.body, c.isInternal]);
  return toComment(rows[0]);
}

/** Oldest first; internal notes only when asked (platform admins). */
export async function listComments(tx: Tx, workspaceId: string, ticketId: string, options: { withInternal: boolean }): Promise<CommentView[]> {
  const { rows } = await tx.query<CommentRow>(
    `select c.id, c.ticket_id, c.author_type, c.author_id, u.name as author_name, c.body, c.is_internal, c.created_at
     from support_ticket_comments c left join user_directory u on u.id = c.author_id and c.author_type in ('user', 'platform_admin')
     where c.workspace_id = $1 and c.ticket_id = $2 and ($3 or not c.is_internal)
     order by c.id`, [workspaceId, ticketId, options.withInternal]);
  return rows.map(toComment);
}
