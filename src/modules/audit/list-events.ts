// GET /audit/events (one workspace, tenant path) and GET /admin/audit/events (every workspace,
// platform path): filters, sort by time (within a workspace: by id, creation order), keyset
// pagination.
import type { Database } from '../../kernel/db/database.ts';
import { auditErrors } from './audit.errors.ts';
import { decodeCursor, encodeCursor } from './audit-cursor.ts';
import { selectEventPage } from './audit.store.ts';
import type { AuditEvent, AuditFilters, AuditSort } from './audit.types.ts';

export type EventListQuery = AuditFilters & { sort?: AuditSort; limit?: number; cursor?: string };
export type EventPage = { data: AuditEvent[]; nextCursor: string | null };

export function assertFilters(filters: AuditFilters): void {
  if (filters.from !== undefined && filters.to !== undefined && Date.parse(filters.from) >= Date.parse(filters.to)) {
    throw auditErrors.create('AUDIT_FILTER_INVALID', '`from` must be before `to`');
  }
}

export function filtersOf(query: AuditFilters): AuditFilters {
  const { actorType, actorId, action, targetType, targetId, from, to, outcome } = query;
  const filters: AuditFilters = { actorType, actorId, action, targetType, targetId, from, to, outcome };
  for (const key of Object.keys(filters) as Array<keyof AuditFilters>) if (filters[key] === undefined) delete filters[key];
  return filters;
}

function page(data: AuditEvent[], limit: number): EventPage {
  const last = data[data.length - 1];
  return { data, nextCursor: data.length === limit && last ? encodeCursor({ occurredAt: last.occurredAt, id: last.id }) : null };
}

export async function listEvents(db: Database, workspaceId: string, query: EventListQuery): Promise<EventPage> {
  const filters = filtersOf(query);
  assertFilters(filters);
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const data = await db.withWorkspace(workspaceId, (tx) => selectEventPage(tx, { workspaceId, filters, sort: query.sort ?? 'desc', after, limit }));
  return page(data, limit);
}

/** Platform path: every workspace, or one with `workspaceId`. */
export async function listPlatformEvents(db: Database, query: EventListQuery & { workspaceId?: string }): Promise<EventPage> {
  const filters = filtersOf(query);
  assertFilters(filters);
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const data = await db.withPlatform((tx) => selectEventPage(tx, { workspaceId: query.workspaceId, filters, sort: query.sort ?? 'desc', after, limit }));
  return page(data, limit);
}
