// GET /api-logs: the workspace's own requests, newest first, filtered, keyset-paginated.
import type { Database } from '../../kernel/db/database.ts';
import { decodeCursor, encodeCursor } from './api-log-cursor.ts';
import { apiLogsErrors } from './api-logs.errors.ts';
import { selectApiLogPage } from './api-logs.store.ts';
import type { ApiLog, ApiLogFilters } from './api-logs.types.ts';

export type ApiLogQuery = ApiLogFilters & { limit?: number; cursor?: string };
export type ApiLogPage = { data: ApiLog[]; nextCursor: string | null };

export async function listApiLogs(db: Database, workspaceId: string, query: ApiLogQuery): Promise<ApiLogPage> {
  const { limit = 50, cursor, ...filters } = query;
  if (filters.from && filters.to && Date.parse(filters.from) >= Date.parse(filters.to)) {
    throw apiLogsErrors.create('API_LOG_FILTER_INVALID', '`from` must be before `to`');
  }
  const after = cursor ? decodeCursor(cursor) : undefined;
  const data = await db.withWorkspace(workspaceId, (tx) => selectApiLogPage(tx, workspaceId, filters, after, limit));
  const last = data[data.length - 1];
  return { data, nextCursor: data.length === limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}
