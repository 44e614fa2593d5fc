// Background writers (API logs, and any other batch writer) must never wedge on one bad row: a
// batch the database refuses for its *data* is split in halves until the bad rows are alone;
// each is retried once in a sanitised form, and dropped and counted if even that is refused.
// Everyone else's rows land. A failure that is not about the data (the database is away, a
// connection broke) stops the write and is left to the caller's retry with backoff.

/** Errors about the rows themselves: bad text or JSON for the database, constraints, values out of range. */
export function isRowFault(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof RangeError) return true; // serialising the row failed
  const code = (err as { code?: unknown } | null)?.code;
  // SQLSTATE classes 22 (data exception), 23 (integrity constraint), 42 (syntax or access rule,
  // e.g. a value the statement can't take), 54 (program limit exceeded: a value too large).
  return typeof code === 'string' && /^(22|23|42|54)[0-9A-Z]{3}$/.test(code);
}

export type IsolatingWriteResult<T> = {
  written: number;
  /** Rows written only once sanitised. */
  sanitised: number;
  /** Rows refused even sanitised: not written, with the database's reason. */
  dropped: Array<{ row: T; error: unknown }>;
};

/** The write stopped on a fault that is not the rows' (the database is away): `unwritten` are to be retried. */
export class UnwrittenRowsError<T> extends Error {
  readonly unwritten: T[];
  readonly progress: IsolatingWriteResult<T>;
  constructor(cause: unknown, unwritten: T[], progress: IsolatingWriteResult<T>) {
    super('rows could not be written', { cause });
    this.unwritten = unwritten;
    this.progress = progress;
  }
}

/**
 * Writes `rows` with `write` (each call one statement in its own transaction). Throws
 * UnwrittenRowsError, naming the rows not written, when a failure is not a row fault.
 */
export async function writeIsolating<T>(
  rows: readonly T[],
  write: (rows: readonly T[]) => Promise<void>,
  sanitise: (row: T) => T,
): Promise<IsolatingWriteResult<T>> {
  const result: IsolatingWriteResult<T> = { written: 0, sanitised: 0, dropped: [] };
  const queue: Array<readonly T[]> = rows.length > 0 ? [rows] : [];
  while (queue.length > 0) {
    const part = queue.shift()!;
    try {
      await write(part);
      result.written += part.length;
      continue;
    } catch (err) {
      if (!isRowFault(err)) throw new UnwrittenRowsError(err, [part, ...queue].flat(), result);
    }
    if (part.length > 1) {
      const half = Math.ceil(part.length / 2);
      queue.unshift(part.slice(0, half), part.slice(half));
      continue;
    }
    try {
      await write([sanitise(part[0])]);
      result.written += 1;
      result.sanitised += 1;
    } catch (err) {
      if (!isRowFault(err)) throw new UnwrittenRowsError(err, [part, ...queue].flat(), result);
      result.dropped.push({ row: part[0], error: err });
    }
  }
  return result;
}

/** Text PostgreSQL can store: NUL and lone surrogates become U+FFFD. */
export function toStorableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replaceAll('\u0000', '\uFFFD') : wellFormed;
}

/** A JSON value with every string (keys included) made storable; nesting past `maxDepth` is cut. */
export function toStorableJson(value: unknown, maxDepth = 64): unknown {
  const walk = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return toStorableText(node);
    if (node === null || typeof node !== 'object') return typeof node === 'number' && !Number.isFinite(node) ? null : node;
    if (depth >= maxDepth) return '[too deep]';
    if (Array.isArray(node)) return node.map((v) => walk(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[toStorableText(k)] = walk(v, depth + 1);
    return out;
  };
  return walk(value, 0);
}
