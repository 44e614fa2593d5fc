// Opaque page cursors: base64url of the last event's (occurredAt, id). Listings within a
// workspace page on the id, the platform listing across workspaces on (occurredAt, id). A cursor
// made while listings paged on seq (three elements) is still accepted: its id names the event.
import { parseDateTime } from '../../kernel/http/date-time.ts';
import { isUuid } from '../../kernel/ids.ts';
import { auditErrors } from './audit.errors.ts';
import type { Keyset } from './audit.store.ts';

export function encodeCursor(keyset: Keyset): string {
  const parts: unknown[] = [keyset.occurredAt, keyset.id];
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && (parsed.length === 2 || parsed.length === 3)) {
      const [occurredAt, id, seq] = parsed as unknown[];
      const isSeqValid = seq === undefined || (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0);
      const at = typeof occurredAt === 'string' ? parseDateTime(occurredAt) : null;
      if (at && typeof id === 'string' && isUuid(id) && isSeqValid) {
        return { occurredAt: at.toISOString(), id: id.toLowerCase() };
      }
    }
  } catch {
    // fall through: not ours
  }
  throw auditErrors.create('AUDIT_CURSOR_INVALID', 'Pass the nextCursor of the previous page, unchanged');
}
