// SQL of api_logs (migrations/0014_api_logs.sql).
import type { Tx } from '../../kernel/db/database.ts';
import type { ApiLog, ApiLogEntry, ApiLogFilters } from './api-logs.types.ts';

// One statement for a whole batch: the rows as one JSON text (JSON.stringify is native and fast;
// node-postgres's array serialisation of fourteen arrays cost the API process ~15 µs a row),
// expanded by PostgreSQL, in another process, on another core.
const INSERT_BATCH = `insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms, error_code, request_id, actor_type, actor_id, ip, request_body, response_body)
  select id, workspace_id, created_at, method, endpoint, status, duration_ms, error_code, request_id, actor_type, actor_id, ip, request_body, response_body
  from jsonb_to_recordset($1::jsonb) as r(id uuid, workspace_id uuid, created_at timestamptz, method text, endpoint text, status smallint,
    duration_ms real, error_code text, request_id text, actor_type text, actor_id uuid, ip text, request_body jsonb, response_body jsonb)`;

export async function insertApiLogs(tx: Tx, rows: readonly ApiLogEntry[]): Promise<void> {
  if (rows.length === 0) return;
  const text = JSON.stringify(rows.map((r) => ({
    id: r.id, workspace_id: r.workspaceId, created_at: r.createdAt, method: r.method, endpoint: r.endpoint, status: r.status,
    duration_ms: r.durationMs, error_code: r.errorCode, request_id: r.requestId, actor_type: r.actorType, actor_id: r.actorId, ip: r.ip,
    request_body: r.requestBody ?? null, response_body: r.responseBody ?? null,
  })));
  await tx.query({ name: 'api_logs_insert_json', text: INSERT_BATCH, values: [text] });
}

type Row = {
  id: string; created_at: Date; method: string; endpoint: string; status: number; duration_ms: number; error_code: string | null;
  request_id: string | null; actor_type: ApiLog['actorType']; actor_id: string | null; ip: string | null; request_body: unknown; response_body: unknown;
};

const COLUMNS = 'id, created_at, method, endpoint, status, duration_ms, error_code, request_id, actor_type, actor_id, ip, request_body, response_body';

function toApiLog(r: Row): ApiLog {
  return {
    id: r.id, createdAt: r.created_at.toISOString(), method: r.method, endpoint: r.endpoint, status: r.status,
    durationMs: Math.round(r.duration_ms * 100) / 100, errorCode: r.error_code, requestId: r.request_id, actorType: r.actor_type,
    actorId: r.actor_id, ip: r.ip, requestBody: r.request_body ?? null, responseBody: r.response_body ?? null,
  };
}

export type Keyset = { createdAt: string; id: string };

const STATUS_RANGES = { '2xx': [200, 299], '3xx': [300, 399], '4xx': [400, 499], '5xx': [500, 599] } as const;

/** A page of one workspace's logs, newest first, after `after` (keyset on (created_at, id)). */
export async function selectApiLogPage(tx: Tx, workspaceId: string, filters: ApiLogFilters, after: Keyset | undefined, limit: number): Promise<ApiLog[]> {
  const values: unknown[] = [workspaceId];
  const where = ['workspace_id = $1'];
  const add = (sql: (n: number) => string, value: unknown) => {
    values.push(value);
    where.push(sql(values.length));
  };
  if (filters.statusClass) {
    const [low, high] = STATUS_RANGES[filters.statusClass];
    add((n) => `status >= $${n}`, low);
    add((n) => `status <= $${n}`, high);
  }
  if (filters.status !== undefined) add((n) => `status = $${n}`, filters.status);
  if (filters.hasError === true) add((n) => `status >= $${n}`, 400);
  if (filters.hasError === false) add((n) => `status < $${n}`, 400);
  if (filters.method) add((n) => `method = $${n}`, filters.method);
  if (filters.endpoint) {
    if (filters.endpoint.endsWith('*')) add((n) => `starts_with(endpoint, $${n})`, filters.endpoint.slice(0, -1));
    else add((n) => `endpoint = $${n}`, filters.endpoint);
  }
  if (filters.from) add((n) => `created_at >= $${n}`, filters.from);
  if (filters.to) add((n) => `created_at < $${n}`, filters.to);
  if (after) {
    values.push(after.createdAt, after.id);
    where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(limit);
  const { rows } = await tx.query<Row>(
    `select ${COLUMNS} from api_logs where ${where.join(' and ')} order by created_at desc, id desc limit $${values.length}`,
    values,
  );
  return rows.map(toApiLog);
}

export type RetentionPolicy = { workspaceId: string; plan: string };

/** Workspaces that have logs (retention's work list), with their plan. */
export async function listWorkspacesWithLogs(tx: Tx): Promise<RetentionPolicy[]> {
  const { rows } = await tx.query<{ id: string; plan: string }>(
    `select w.id, w.plan from workspace_directory w where exists (select 1 from api_logs l where l.workspace_id = w.id) order by w.id`,
  );
  return rows.map((r) => ({ workspaceId: r.id, plan: r.plan }));
}

/**
 * Deletes up to `batch` rows of one workspace (null: rows without a workspace) older than
 * `cutoff`; returns how many. Small batches keep each transaction short.
 */
export async function deleteApiLogsBefore(tx: Tx, workspaceId: string | null, cutoff: Date, batch: number): Promise<number> {
  // `is not distinct from` can't use the index: two statements instead.
  const { rowCount } = workspaceId === null
    ? await tx.query(`delete from api_logs where ctid = any(array(select ctid from api_logs where workspace_id is null and created_at < $1 limit $2))`, [cutoff, batch])
    : await tx.query(`delete from api_logs where ctid = any(array(select ctid from api_logs where workspace_id = $1 and created_at < $2 limit $3))`, [workspaceId, cutoff, batch]);
  return rowCount ?? 0;
}
