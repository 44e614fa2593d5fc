// Opaque page cursors: base64url of the last event's (occurredAt, id), the keyset of the sort.
import { isUuid } from '../../kernel/ids.ts';
import { auditErrors } from './audit.errors.ts';
import type { Keyset } from './audit.store.ts';

export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.occurredAt, keyset.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [occurredAt, id] = parsed as unknown[];
      if (typeof occurredAt === 'string' && typeof id === 'string' && isUuid(id) && !Number.isNaN(Date.parse(occurredAt))) {
        return { occurredAt: new Date(occurredAt).toISOString(), id: id.toLowerCase() };
      }
    }
  } catch {
    // fall through: not ours
  }
  throw auditErrors.create('AUDIT_CURSOR_INVALID', 'Pass the nextCursor of the previous page, unchanged');
}
