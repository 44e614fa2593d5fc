// GET /admin/errors: what went wrong across the installation, newest first. Severity: a 5xx
// answer and a failed execution are `error`; a timed-out execution is `warning`. 4xx answers are
// the callers' mistakes, not the platform's: they stay in each workspace's API logs.
import { parseDateTime } from '../../kernel/http/date-time.ts';
import type { Database } from '../../kernel/db/database.ts';
import { isUuid } from '../../kernel/ids.ts';
import { adminErrors } from './admin.errors.ts';
import type { AdminReports } from './admin.context.ts';
import { selectErrorPage } from './platform-reports.ts';
import type { ErrorFilters, ErrorKeyset, ErrorSeverity, ErrorSource } from './platform-reports.ts';

export type AdminError = {
  id: string;
  source: ErrorSource;
  severity: ErrorSeverity;
  occurredAt: string;
  workspaceId: string | null;
  workspaceName: string | null;
  code: string | null;
  message: string | null;
  http: { method: string; endpoint: string; status: number; requestId: string | null } | null;
  execution: { executionId: string; workflowId: string; workflowName: string | null; status: string } | null;
};

export type AdminErrorQuery = { severity?: ErrorSeverity; source?: ErrorSource; workspaceId?: string; from?: string; to?: string; limit?: number; cursor?: string };
export type AdminErrorPage = { data: AdminError[]; nextCursor: string | null };

function encodeCursor(k: ErrorKeyset): string {
  return Buffer.from(JSON.stringify([k.occurredAt, k.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): ErrorKeyset {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const [occurredAt, id] = Array.isArray(parsed) && parsed.length === 2 ? (parsed as unknown[]) : [];
    const at = typeof occurredAt === 'string' ? parseDateTime(occurredAt) : null;
    if (at && typeof id === 'string' && isUuid(id)) {
      return { occurredAt: at.toISOString(), id: id.toLowerCase() };
    }
  } catch {
    // not ours
  }
  throw adminErrors.create('CURSOR_INVALID', 'Pass the nextCursor of the previous page, unchanged');
}

export async function listErrors(deps: { db: Database; reports: AdminReports }, query: AdminErrorQuery): Promise<AdminErrorPage> {
  const limit = query.limit ?? 50;
  const filters: ErrorFilters = { severity: query.severity, source: query.source, workspaceId: query.workspaceId?.toLowerCase() };
  if (query.from) filters.from = new Date(query.from);
  if (query.to) filters.to = new Date(query.to);
  if (filters.from && filters.to && filters.from >= filters.to) throw adminErrors.create('FILTER_INVALID', '`from` must be before `to`');
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await deps.db.withPlatform((tx) => selectErrorPage(tx, deps.reports, filters, after, limit));
  const data: AdminError[] = rows.map((r) => ({
    id: r.id,
    source: r.source,
    severity: r.severity,
    occurredAt: r.occurredAt.toISOString(),
    workspaceId: r.workspaceId,
    workspaceName: r.workspaceName,
    code: r.code,
    message: r.message,
    http: r.source === 'http' ? { method: r.method ?? '', endpoint: r.endpoint ?? '', status: r.httpStatus ?? 500, requestId: r.requestId } : null,
    execution: r.source === 'execution' ? { executionId: r.id, workflowId: r.workflowId ?? '', workflowName: r.workflowName, status: r.executionStatus ?? '' } : null,
  }));
  const last = data[data.length - 1];
  return { data, nextCursor: data.length === limit && last ? encodeCursor({ occurredAt: last.occurredAt, id: last.id }) : null };
}
