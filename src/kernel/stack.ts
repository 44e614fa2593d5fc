// What an error may show of where it happened. Stack traces are for platform admins only, and
// even then with paths relative to the project (an absolute path names the host's layout).
import path from 'node:path';
import { toStorableText } from './db/isolating-write.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ROOT_URL = `file://${ROOT}`;

/** The stack with the project's absolute paths (and file:// URLs) made relative, storable as text. */
export function projectRelativeStack(stack: string): string {
  return toStorableText(stack.replaceAll(`${ROOT_URL}/`, '').replaceAll(`${ROOT}/`, ''));
}

/** A PostgreSQL error (node-postgres DatabaseError): its message can quote SQL, constraints, values. */
export function isDatabaseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'severity' in err && 'routine' in err && 'code' in err;
}
