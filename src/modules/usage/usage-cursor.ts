// Opaque page cursors for usage events: base64url of the last event's id (UUIDv7: time-ordered).
import { isUuid } from '../../kernel/ids.ts';
import { usageErrors } from './usage.errors.ts';

export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify(['u', id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === 'u' && typeof parsed[1] === 'string' && isUuid(parsed[1])) return parsed[1].toLowerCase();
  } catch {
    // not ours
  }
  throw usageErrors.create('USAGE_CURSOR_INVALID', 'Pass the nextCursor of the previous page, unchanged');
}
