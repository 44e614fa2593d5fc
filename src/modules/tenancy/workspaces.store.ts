// SQL of the workspaces table. Every function runs in the caller's transaction: a tenant
// transaction bound to the workspace (RLS), or the platform path (admin).
import type { Tx } from '../../kernel/db/database.ts';

export type WorkspaceStatus = 'active' | 'suspended' | 'deleted';
export type WorkspaceKind = 'organization' | 'project' | 'team';
export type WorkspacePlan = 'free' | 'pro' | 'enterprise';

export type Workspace = {
  id: string;
  slug: string;
  name: string;
  plan: WorkspacePlan;
  status: WorkspaceStatus;
  parentId: string | null;
  kind: WorkspaceKind;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  suspendedAt: string | null;
  statusReason: string | null;
};

type Row = {
  id: string; slug: string; name: string; plan: WorkspacePlan; status: WorkspaceStatus; parent_id: string | null;
  kind: WorkspaceKind; created_at: Date; updated_at: Date; deleted_at: Date | null; suspended_at: Date | null; status_reason: string | null;
};

const COLUMNS = 'id, slug, name, plan, status, parent_id, kind, created_at, updated_at, deleted_at, suspended_at, status_reason';

function toWorkspace(r: Row): Workspace {
  return {
    id: r.id, slug: r.slug, name: r.name, plan: r.plan, status: r.status, parentId: r.parent_id, kind: r.kind,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    deletedAt: r.deleted_at ? r.deleted_at.toISOString() : null,
    suspendedAt: r.suspended_at ? r.suspended_at.toISOString() : null,
    statusReason: r.status_reason,
  };
}

export type NewWorkspace = { id: string; slug: string; name: string; plan: WorkspacePlan; kind: WorkspaceKind; parentId: string | null };

/** Insert; null when the slug is taken (also by a concurrent, uncommitted insert once it commits). */
export async function insertWorkspace(tx: Tx, w: NewWorkspace): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(
    `insert into workspaces (id, slug, name, plan, kind, parent_id) values ($1, $2, $3, $4, $5, $6)
     on conflict (slug) do nothing returning ${COLUMNS}`,
    [w.id, w.slug, w.name, w.plan, w.kind, w.parentId],
  );
  return rows[0] ? toWorkspace(rows[0]) : null;
}

export async function findWorkspaceById(tx: Tx, id: string): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from workspaces where id = $1`, [id]);
  return rows[0] ? toWorkspace(rows[0]) : null;
}

export async function findWorkspaceBySlug(tx: Tx, slug: string): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from workspaces where slug = $1`, [slug]);
  return rows[0] ? toWorkspace(rows[0]) : null;
}

/** Lock the row for a status change (concurrent suspend/delete/restore serialize here). */
export async function lockWorkspace(tx: Tx, id: string): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from workspaces where id = $1 for update`, [id]);
  return rows[0] ? toWorkspace(rows[0]) : null;
}

export async function updateWorkspaceName(tx: Tx, id: string, name: string): Promise<void> {
  await tx.query('update workspaces set name = $2 where id = $1', [id, name]);
}

/** Rename and return the row as it now is (updated_at moved). */
export async function renameWorkspace(tx: Tx, id: string, name: string): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(`update workspaces set name = $2 where id = $1 returning ${COLUMNS}`, [id, name]);
  return rows[0] ? toWorkspace(rows[0]) : null;
}

/** Change the plan and return the row as it now is (platform path). */
export async function updateWorkspacePlan(tx: Tx, id: string, plan: WorkspacePlan): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(`update workspaces set plan = $2 where id = $1 returning ${COLUMNS}`, [id, plan]);
  return rows[0] ? toWorkspace(rows[0]) : null;
}

export async function updateWorkspaceStatus(tx: Tx, id: string, status: WorkspaceStatus, reason: string | null): Promise<Workspace | null> {
  const { rows } = await tx.query<Row>(
    `update workspaces set status = $2, status_reason = $3,
       deleted_at = case when $2 = 'deleted' then now() else null end,
       suspended_at = case when $2 = 'suspended' then now() else null end
     where id = $1 returning ${COLUMNS}`,
    [id, status, reason],
  );
  return rows[0] ? toWorkspace(rows[0]) : null;
}

/** Across every workspace (the unique index): onboarding and creation pick a free slug with it. */
export async function isSlugTaken(tx: Tx, slug: string): Promise<boolean> {
  const { rows } = await tx.query<{ taken: boolean }>('select atrium_slug_taken($1) as taken', [slug]);
  return rows[0].taken;
}

/**
 * Children that are not deleted. Under a tenant binding the children are other tenants' rows,
 * hidden by RLS, so the definer function answers (for the bound workspace only); on the
 * platform path the function answers 0 and the direct count sees every row.
 */
export async function countLiveChildren(tx: Tx, id: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select greatest(atrium_workspace_live_children($1),
       (select count(*)::int from workspaces where parent_id = $1 and status <> 'deleted')) as n`,
    [id],
  );
  return rows[0].n;
}

export type WorkspaceSearch = {
  q?: string;
  status?: WorkspaceStatus;
  plan?: WorkspacePlan;
  sort: 'createdAt' | 'name' | 'slug';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
};

const SORT_COLUMNS: Record<WorkspaceSearch['sort'], string> = { createdAt: 'created_at', name: 'lower(name)', slug: 'slug' };

/** Every workspace matching the filter (platform path only: a tenant transaction sees one row). */
export async function searchWorkspaces(tx: Tx, s: WorkspaceSearch): Promise<{ data: Workspace[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (s.q) {
    params.push(`%${s.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(name ilike $${params.length} or slug ilike $${params.length} or id::text = $${params.length + 1})`);
    params.push(s.q.toLowerCase());
  }
  if (s.status) {
    params.push(s.status);
    where.push(`status = $${params.length}`);
  }
  if (s.plan) {
    params.push(s.plan);
    where.push(`plan = $${params.length}`);
  }
  const whereSql = where.length ? `where ${where.join(' and ')}` : '';
  // The sort column comes from a fixed map, never from input; id breaks ties so pages are stable.
  const direction = s.order === 'asc' ? 'asc' : 'desc';
  const orderSql = `order by ${SORT_COLUMNS[s.sort]} ${direction}, id ${direction}`;
  const { rows } = await tx.query<Row & { total: number }>(
    `select ${COLUMNS}, count(*) over () as total from workspaces ${whereSql} ${orderSql}
     limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, s.limit, s.offset],
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && s.offset > 0) {
    const count = await tx.query<{ n: number }>(`select count(*)::int as n from workspaces ${whereSql}`, params);
    total = count.rows[0].n;
  }
  return { data: rows.map(toWorkspace), total };
}
