// Opaque page cursors: base64url of the last row's [createdAt, id].
import { parseDateTime } from '../../kernel/http/date-time.ts';
import { isUuid } from '../../kernel/ids.ts';
import { apiLogsErrors } from './api-logs.errors.ts';
import type { Keyset } from './api-logs.store.ts';

export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.createdAt, keyset.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[];
      const at = typeof createdAt === 'string' ? parseDateTime(createdAt) : null;
      if (at && typeof id === 'string' && isUuid(id)) {
        return { createdAt: at.toISOString(), id: id.toLowerCase() };
      }
    }
  } catch {
    // not ours
  }
  throw apiLogsErrors.create('API_LOG_CURSOR_INVALID', 'Pass the nextCursor of the previous page, unchanged');
}
