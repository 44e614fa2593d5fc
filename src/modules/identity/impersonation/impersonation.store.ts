// SQL of impersonation: the target (user + membership), impersonations and approval requests
// (tenant tables, migration 0008), and the user's opt-out. Every query names its workspace;
// run in a transaction bound to it (or on the platform path), RLS hides the rest.
import type { Tx } from '../../../kernel/db/database.ts';
import type { Role } from '../../access/index.ts';

/** Minutes an approval stays usable, and hours a pending request stays approvable. */
export const APPROVAL_TTL_MINUTES = 15;
export const REQUEST_TTL_HOURS = 24;

export type ImpersonationTarget = {
  userId: string; email: string; name: string; isPlatformAdmin: boolean; allowsImpersonation: boolean; role: Role; workspaceId: string;
};

/** A member of an active workspace, with what the refusals need. */
export async function findTarget(tx: Tx, workspaceId: string, userId: string): Promise<ImpersonationTarget | null> {
  const { rows } = await tx.query<{ id: string; email: string; name: string; is_platform_admin: boolean; allow_impersonation: boolean; role: Role; workspace_id: string }>(
    `select u.id, u.email, u.name, u.is_platform_admin, u.allow_impersonation, m.role, m.workspace_id
     from memberships m join workspace_directory w on w.id = m.workspace_id join users u on u.id = m.user_id
     where m.workspace_id = $1 and m.user_id = $2 and w.status = 'active'`,
    [workspaceId, userId],
  );
  const r = rows[0];
  return r ? { userId: r.id, email: r.email, name: r.name, isPlatformAdmin: r.is_platform_admin, allowsImpersonation: r.allow_impersonation, role: r.role, workspaceId: r.workspace_id } : null;
}

/** The user's first active workspace (platform path: a platform admin names no workspace). */
export async function findFirstWorkspaceOf(tx: Tx, userId: string): Promise<string | null> {
  const { rows } = await tx.query<{ workspace_id: string }>(
    `select m.workspace_id from memberships m join workspace_directory w on w.id = m.workspace_id
     where m.user_id = $1 and w.status = 'active' order by w.created_at, w.id limit 1`,
    [userId],
  );
  return rows[0]?.workspace_id ?? null;
}

/** Spend the newest approval (less than 15 minutes old) of this requester for this owner. */
export async function takeApproval(tx: Tx, workspaceId: string, targetUserId: string, requestedBy: string): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(
    `update impersonation_requests set status = 'used', used_at = now()
     where workspace_id = $1 and id = (
       select id from impersonation_requests
       where workspace_id = $1 and target_user_id = $2 and requested_by = $3 and status = 'approved'
         and approved_at > now() - make_interval(mins => $4)
       order by approved_at desc limit 1 for update)
     returning id`,
    [workspaceId, targetUserId, requestedBy, APPROVAL_TTL_MINUTES],
  );
  return rows[0]?.id ?? null;
}

export type ImpersonationRow = {
  id: string; workspaceId: string; impersonatorId: string; targetUserId: string; sessionId: string; requestId: string | null;
  reason: string; startedAt: string; expiresAt: string; endedAt: string | null;
};

type Row = {
  id: string; workspace_id: string; impersonator_id: string; target_user_id: string; session_id: string; request_id: string | null;
  reason: string; started_at: Date; expires_at: Date; ended_at: Date | null;
};

function toImpersonation(r: Row): ImpersonationRow {
  return {
    id: r.id, workspaceId: r.workspace_id, impersonatorId: r.impersonator_id, targetUserId: r.target_user_id, sessionId: r.session_id,
    requestId: r.request_id, reason: r.reason, startedAt: r.started_at.toISOString(), expiresAt: r.expires_at.toISOString(),
    endedAt: r.ended_at ? r.ended_at.toISOString() : null,
  };
}

export async function insertImpersonation(tx: Tx, input: { workspaceId: string; impersonatorId: string; targetUserId: string; sessionId: string; requestId: string | null; reason: string; startedAt: Date; expiresAt: Date }): Promise<ImpersonationRow> {
  const { rows } = await tx.query<Row>(
    `insert into impersonations (workspace_id, impersonator_id, target_user_id, session_id, request_id, reason, started_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
    [input.workspaceId, input.impersonatorId, input.targetUserId, input.sessionId, input.requestId, input.reason, input.startedAt, input.expiresAt],
  );
  return toImpersonation(rows[0]);
}

/** Mark the impersonation of a session ended; null when there is none or it already ended. */
export async function endImpersonation(tx: Tx, workspaceId: string, sessionId: string, reason: string): Promise<ImpersonationRow | null> {
  const { rows } = await tx.query<Row>(
    `update impersonations set ended_at = now(), ended_reason = $3
     where workspace_id = $1 and session_id = $2 and ended_at is null returning *`,
    [workspaceId, sessionId, reason],
  );
  return rows[0] ? toImpersonation(rows[0]) : null;
}

export type CurrentImpersonation = ImpersonationRow & {
  impersonator: { id: string; email: string; name: string };
  target: { id: string; email: string; name: string };
};

export async function findImpersonationBySession(tx: Tx, workspaceId: string, sessionId: string): Promise<CurrentImpersonation | null> {
  const { rows } = await tx.query<Row & { a_email: string; a_name: string; t_email: string; t_name: string }>(
    `select i.*, a.email as a_email, a.name as a_name, t.email as t_email, t.name as t_name
     from impersonations i join users a on a.id = i.impersonator_id join users t on t.id = i.target_user_id
     where i.workspace_id = $1 and i.session_id = $2`,
    [workspaceId, sessionId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    ...toImpersonation(r),
    impersonator: { id: r.impersonator_id, email: r.a_email, name: r.a_name },
    target: { id: r.target_user_id, email: r.t_email, name: r.t_name },
  };
}

// ---------------------------------------------------------------------------------------------
// Approval requests (the "procedure" for workspace owners; platform path only).

export type ImpersonationRequest = {
  id: string; workspaceId: string; requestedBy: string; targetUserId: string; reason: string;
  status: 'pending' | 'approved' | 'used'; createdAt: string; approvedBy: string | null; approvedAt: string | null;
  /** When an approved request can no longer be used to start (approvedAt + 15 minutes). */
  usableUntil: string | null;
};

type RequestRow = {
  id: string; workspace_id: string; requested_by: string; target_user_id: string; reason: string; status: ImpersonationRequest['status'];
  created_at: Date; approved_by: string | null; approved_at: Date | null; is_expired: boolean;
};

const REQUEST_COLUMNS = `id, workspace_id, requested_by, target_user_id, reason, status, created_at, approved_by, approved_at,
  created_at <= now() - make_interval(hours => ${REQUEST_TTL_HOURS}) as is_expired`;

function toRequest(r: RequestRow): ImpersonationRequest {
  return {
    id: r.id, workspaceId: r.workspace_id, requestedBy: r.requested_by, targetUserId: r.target_user_id, reason: r.reason, status: r.status,
    createdAt: r.created_at.toISOString(), approvedBy: r.approved_by, approvedAt: r.approved_at ? r.approved_at.toISOString() : null,
    usableUntil: r.approved_at ? new Date(r.approved_at.getTime() + APPROVAL_TTL_MINUTES * 60_000).toISOString() : null,
  };
}

export async function insertRequest(tx: Tx, input: { workspaceId: string; requestedBy: string; targetUserId: string; reason: string }): Promise<ImpersonationRequest> {
  const { rows } = await tx.query<RequestRow>(
    `insert into impersonation_requests (workspace_id, requested_by, target_user_id, reason) values ($1, $2, $3, $4) returning ${REQUEST_COLUMNS}`,
    [input.workspaceId, input.requestedBy, input.targetUserId, input.reason],
  );
  return toRequest(rows[0]);
}

/** A request by id, locked, in whichever workspace it is (platform path). */
export async function findRequestForUpdate(tx: Tx, id: string): Promise<(ImpersonationRequest & { isExpired: boolean }) | null> {
  const { rows } = await tx.query<RequestRow>(`select ${REQUEST_COLUMNS} from impersonation_requests where id = $1 for update`, [id]);
  return rows[0] ? { ...toRequest(rows[0]), isExpired: rows[0].is_expired } : null;
}

export async function approveRequest(tx: Tx, workspaceId: string, id: string, approvedBy: string): Promise<ImpersonationRequest> {
  const { rows } = await tx.query<RequestRow>(
    `update impersonation_requests set status = 'approved', approved_by = $3, approved_at = now()
     where workspace_id = $1 and id = $2 and status = 'pending' returning ${REQUEST_COLUMNS}`,
    [workspaceId, id, approvedBy],
  );
  return toRequest(rows[0]);
}

/** Pending and approved requests, newest first (platform path). */
export async function listOpenRequests(tx: Tx, limit: number): Promise<ImpersonationRequest[]> {
  const { rows } = await tx.query<RequestRow>(
    `select ${REQUEST_COLUMNS} from impersonation_requests
     where (status = 'pending' and created_at > now() - make_interval(hours => ${REQUEST_TTL_HOURS}))
        or (status = 'approved' and approved_at > now() - make_interval(mins => ${APPROVAL_TTL_MINUTES}))
     order by created_at desc, id desc limit $1`,
    [limit],
  );
  return rows.map(toRequest);
}

// ---------------------------------------------------------------------------------------------
// The user's opt-out (global users table; identity path).

export async function readAllowsImpersonation(tx: Tx, userId: string, options: { isLocking?: boolean } = {}): Promise<boolean | null> {
  const { rows } = await tx.query<{ allow_impersonation: boolean }>(`select allow_impersonation from users where id = $1${options.isLocking ? ' for update' : ''}`, [userId]);
  return rows[0]?.allow_impersonation ?? null;
}

export async function writeAllowsImpersonation(tx: Tx, userId: string, allow: boolean): Promise<void> {
  await tx.query('update users set allow_impersonation = $2 where id = $1', [userId, allow]);
}
