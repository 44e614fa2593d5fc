// SQL of workflow_requests and workflow_request_events. Tenant queries say `where workspace_id
// = $1` (RLS is the backstop); the platform path's lookups by id run under withPlatform only.
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditActorType } from '../audit/index.ts';
import type { RequestStatus } from './pipeline.ts';
import type { Frequency, RequestView, TimelineEntry, TimelineKind } from './requests.schema.ts';

type RequestRow = {
  workspace_id: string; id: string; title: string; description: string; use_case: string; frequency: Frequency;
  budget_amount: string | null; budget_currency: string | null; status: RequestStatus;
  estimate_amount: string | null; estimate_currency: string | null; estimate_delivery: string | null;
  created_by: string | null; created_at: Date; updated_at: Date; status_changed_at: Date; closed_at: Date | null;
};

/** The columns of a request, prefixed with a table alias when joined. */
function columns(p = ''): string {
  return `${p}workspace_id, ${p}id, ${p}title, ${p}description, ${p}use_case, ${p}frequency, ${p}budget_amount, ${p}budget_currency,
  ${p}status, ${p}estimate_amount, ${p}estimate_currency, to_char(${p}estimate_delivery, 'YYYY-MM-DD') as estimate_delivery,
  ${p}created_by, ${p}created_at, ${p}updated_at, ${p}status_changed_at, ${p}closed_at`;
}
const COLUMNS = columns();

function toView(r: RequestRow): RequestView {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    title: r.title,
    description: r.description,
    useCase: r.use_case,
    frequency: r.frequency,
    budget: r.budget_amount === null || r.budget_currency === null ? null : { amountMinor: Number(r.budget_amount), currency: r.budget_currency },
    status: r.status,
    estimate: r.estimate_amount === null || r.estimate_currency === null ? null : { amountMinor: Number(r.estimate_amount), currency: r.estimate_currency, deliveryDate: r.estimate_delivery },
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    statusChangedAt: r.status_changed_at.toISOString(),
    closedAt: r.closed_at ? r.closed_at.toISOString() : null,
  };
}

export type NewRequest = {
  workspaceId: string; title: string; description: string; useCase: string; frequency: Frequency;
  budget: { amountMinor: number; currency: string } | null; createdBy: string | null; createdByKey: string | null;
};

export async function insertRequest(tx: Tx, r: NewRequest): Promise<RequestView> {
  const { rows } = await tx.query<RequestRow>(
    `insert into workflow_requests (workspace_id, title, description, use_case, frequency, budget_amount, budget_currency, created_by, created_by_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${COLUMNS}`,
    [r.workspaceId, r.title, r.description, r.useCase, r.frequency, r.budget?.amountMinor ?? null, r.budget?.currency ?? null, r.createdBy, r.createdByKey],
  );
  return toView(rows[0]);
}

/** One request of the bound workspace; `forUpdate` locks it for a status change. */
export async function findRequest(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<RequestView | null> {
  const { rows } = await tx.query<RequestRow>(
    `select ${COLUMNS} from workflow_requests where workspace_id = $1 and id = $2${options.forUpdate ? ' for update' : ''}`, [workspaceId, id]);
  return rows[0] ? toView(rows[0]) : null;
}

/** Platform path only: a request of any workspace, by id. */
export async function findRequestAnywhere(tx: Tx, id: string, options: { forUpdate?: boolean } = {}): Promise<RequestView | null> {
  const { rows } = await tx.query<RequestRow>(`select ${COLUMNS} from workflow_requests where id = $1${options.forUpdate ? ' for update' : ''}`, [id]);
  return rows[0] ? toView(rows[0]) : null;
}

export type RequestChanges = {
  title?: string; description?: string; useCase?: string; frequency?: Frequency;
  budget?: { amountMinor: number; currency: string } | null;
  status?: RequestStatus; isClosing?: boolean;
  estimate?: { amountMinor: number; currency: string; deliveryDate: string | null };
};

export async function updateRequest(tx: Tx, workspaceId: string, id: string, c: RequestChanges): Promise<RequestView> {
  const sets: string[] = [];
  const values: unknown[] = [workspaceId, id];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (c.title !== undefined) set('title', c.title);
  if (c.description !== undefined) set('description', c.description);
  if (c.useCase !== undefined) set('use_case', c.useCase);
  if (c.frequency !== undefined) set('frequency', c.frequency);
  if (c.budget !== undefined) {
    set('budget_amount', c.budget?.amountMinor ?? null);
    set('budget_currency', c.budget?.currency ?? null);
  }
  if (c.status !== undefined) {
    set('status', c.status);
    sets.push('status_changed_at = now()');
    if (c.isClosing) sets.push('closed_at = now()');
  }
  if (c.estimate !== undefined) {
    set('estimate_amount', c.estimate.amountMinor);
    set('estimate_currency', c.estimate.currency);
    set('estimate_delivery', c.estimate.deliveryDate);
  }
  if (sets.length === 0) sets.push('updated_at = now()');
  const { rows } = await tx.query<RequestRow>(
    `update workflow_requests set ${sets.join(', ')} where workspace_id = $1 and id = $2 returning ${COLUMNS}`, values);
  return toView(rows[0]);
}

export type RequestFilter = { status?: RequestStatus; limit: number; cursor?: string };

export async function listRequests(tx: Tx, workspaceId: string, f: RequestFilter): Promise<{ data: RequestView[]; total: number }> {
  const values: unknown[] = [workspaceId, f.status ?? null];
  const where = 'workspace_id = $1 and ($2::text is null or status = $2)';
  const page = await tx.query<RequestRow>(
    `select ${COLUMNS} from workflow_requests where ${where} and ($3::uuid is null or id < $3) order by id desc limit $4`,
    [...values, f.cursor ?? null, f.limit]);
  const count = await tx.query<{ n: string }>(`select count(*) as n from workflow_requests where ${where}`, values);
  return { data: page.rows.map(toView), total: Number(count.rows[0].n) };
}

export type AdminRequestRow = RequestView & { workspace: { id: string; slug: string; name: string } };

/** Platform path: every workspace's requests, newest first. `open` = not final. */
export async function listAllRequests(tx: Tx, f: { status?: RequestStatus | 'open'; workspaceId?: string; limit: number; offset: number }): Promise<{ data: AdminRequestRow[]; total: number }> {
  const statusFilter = f.status === 'open' ? `$1::text is null and r.status not in ('deployed', 'rejected', 'withdrawn')` : '($1::text is null or r.status = $1)';
  const values: unknown[] = [f.status === 'open' ? null : (f.status ?? null), f.workspaceId ?? null];
  const where = `${statusFilter} and ($2::uuid is null or r.workspace_id = $2)`;
  const page = await tx.query<RequestRow & { slug: string; workspace_name: string }>(
    `select ${columns('r.')}, w.slug, w.name as workspace_name
     from workflow_requests r join workspace_directory w on w.id = r.workspace_id
     where ${where} order by r.id desc limit $3 offset $4`, [...values, f.limit, f.offset]);
  const count = await tx.query<{ n: string }>(`select count(*) as n from workflow_requests r where ${where}`, values);
  return {
    data: page.rows.map((r) => ({ ...toView(r), workspace: { id: r.workspace_id, slug: r.slug, name: r.workspace_name } })),
    total: Number(count.rows[0].n),
  };
}

export async function findWorkspaceRef(tx: Tx, workspaceId: string): Promise<{ id: string; slug: string; name: string }> {
  const { rows } = await tx.query<{ id: string; slug: string; name: string }>('select id, slug, name from workspace_directory where id = $1', [workspaceId]);
  return rows[0];
}

// ---------------------------------------------------------------------------------------------
// Timeline

export type NewTimelineEntry = {
  workspaceId: string; requestId: string; kind: TimelineKind; fromStatus?: RequestStatus | null; toStatus?: RequestStatus | null;
  note?: string; isInternal?: boolean; actorType: AuditActorType; actorId: string | null; details?: Record<string, unknown> | null;
};

export async function insertTimelineEntry(tx: Tx, e: NewTimelineEntry): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into workflow_request_events (workspace_id, request_id, kind, from_status, to_status, note, is_internal, actor_type, actor_id, details)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
    [e.workspaceId, e.requestId, e.kind, e.fromStatus ?? null, e.toStatus ?? null, e.note ?? '', e.isInternal ?? false, e.actorType, e.actorId,
      e.details ? JSON.stringify(e.details) : null],
  );
  return rows[0].id;
}

type TimelineRow = {
  id: string; kind: TimelineKind; from_status: RequestStatus | null; to_status: RequestStatus | null; note: string; is_internal: boolean;
  actor_type: TimelineEntry['actorType']; actor_id: string | null; actor_name: string | null; details: Record<string, unknown> | null; created_at: Date;
};

/** Oldest first; internal notes only when asked (platform admins). */
export async function listTimeline(tx: Tx, workspaceId: string, requestId: string, options: { withInternal: boolean }): Promise<TimelineEntry[]> {
  const { rows } = await tx.query<TimelineRow>(
    `select e.id, e.kind, e.from_status, e.to_status, e.note, e.is_internal, e.actor_type, e.actor_id, u.name as actor_name, e.details, e.created_at
     from workflow_request_events e left join user_directory u on u.id = e.actor_id and e.actor_type in ('user', 'platform_admin')
     where e.workspace_id = $1 and e.request_id = $2 and ($3 or not e.is_internal)
     order by e.id`, [workspaceId, requestId, options.withInternal]);
  return rows.map((r) => ({
    id: r.id, kind: r.kind, fromStatus: r.from_status, toStatus: r.to_status, note: r.note, isInternal: r.is_internal,
    actorType: r.actor_type, actorId: r.actor_id, actorName: r.actor_name, details: r.details, createdAt: r.created_at.toISOString(),
  }));
}
