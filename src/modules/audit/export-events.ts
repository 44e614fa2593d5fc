// GET /audit/export: every event matching the filters as CSV or a JSON array, streamed. Rows
// are read in keyset pages (one short transaction each), so memory stays flat whatever the
// size of the trail, and no transaction stays open while a slow client reads.
import type { Database } from '../../kernel/db/database.ts';
import { csvCell } from '../../kernel/csv.ts';

export { csvCell };
import { selectEventPage } from './audit.store.ts';
import type { Keyset } from './audit.store.ts';
import type { AuditEvent, AuditFilters, AuditSort } from './audit.types.ts';
import { assertFilters, filtersOf } from './list-events.ts';

export type ExportFormat = 'csv' | 'json';

export const EXPORT_PAGE_SIZE = 500;

export const CSV_COLUMNS = [
  'id', 'seq', 'occurredAt', 'actorType', 'actorId', 'realActorId', 'action', 'targetType', 'targetId', 'outcome',
  'ip', 'userAgent', 'requestId', 'traceId', 'diff', 'prevHash', 'hash',
] as const satisfies ReadonlyArray<keyof AuditEvent>;

export function csvRow(event: AuditEvent): string {
  return `${CSV_COLUMNS.map((c) => csvCell(event[c])).join(',')}\r\n`;
}

/** Pages of events in sort order, each read in its own tenant transaction. */
export async function* eventPages(db: Database, workspaceId: string, filters: AuditFilters, sort: AuditSort, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<AuditEvent[]> {
  let after: Keyset | undefined;
  for (;;) {
    const data = await db.withWorkspace(workspaceId, (tx) => selectEventPage(tx, { workspaceId, filters, sort, after, limit: pageSize }));
    if (data.length > 0) yield data;
    if (data.length < pageSize) return;
    const last = data[data.length - 1];
    after = { occurredAt: last.occurredAt, id: last.id };
  }
}

/**
 * The export body, chunk by chunk (one chunk per page). Filters are checked and the first page is
 * read before anything is sent: a failure there is a problem answer, not a stream cut mid-way.
 */
export async function exportEvents(
  db: Database,
  workspaceId: string,
  query: AuditFilters & { sort?: AuditSort },
  format: ExportFormat,
  pageSize = EXPORT_PAGE_SIZE,
): Promise<AsyncGenerator<string>> {
  const filters = filtersOf(query);
  assertFilters(filters);
  const pages = eventPages(db, workspaceId, filters, query.sort ?? 'asc', pageSize);
  const first = await pages.next();
  async function* all(): AsyncGenerator<AuditEvent[]> {
    if (!first.done) yield first.value;
    yield* pages;
  }
  return format === 'csv' ? csvChunks(all()) : jsonChunks(all());
}

async function* csvChunks(pages: AsyncGenerator<AuditEvent[]>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const events of pages) yield events.map(csvRow).join('');
}

async function* jsonChunks(pages: AsyncGenerator<AuditEvent[]>): AsyncGenerator<string> {
  yield '[';
  let isFirst = true;
  for await (const events of pages) {
    yield events.map((e) => {
      const text = `${isFirst ? '\n' : ',\n'}${JSON.stringify(e)}`;
      isFirst = false;
      return text;
    }).join('');
  }
  yield isFirst ? ']\n' : '\n]\n';
}
