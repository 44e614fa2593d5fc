// The write path of API logs, on every request, so it must cost next to nothing: a request only
// pushes a row into memory; rows leave in batches (every `flushIntervalMs`, or at once when a
// batch is full) as ONE multi-row INSERT on the platform path. The buffer is bounded: while the
// database is down, failed batches go back to the front as far as room allows, and rows beyond
// the bound are dropped and counted. A request never waits for the database here.
// A batch the database refuses for its data is bisected (kernel/db/isolating-write.ts): the bad
// row is written sanitised, or dropped and counted; the rest of the batch, and the batches
// after it, land. One poison row never stops API logging for every workspace.
import type { Database } from '../../kernel/db/database.ts';
import { toStorableJson, toStorableText, UnwrittenRowsError, writeIsolating } from '../../kernel/db/isolating-write.ts';
import type { IsolatingWriteResult } from '../../kernel/db/isolating-write.ts';
import type { Logger } from '../../kernel/logging.ts';
import { insertApiLogs } from './api-logs.store.ts';
import type { ApiLogEntry } from './api-logs.types.ts';

export type ApiLogBufferOptions = {
  /** Rows held in memory at most; more are dropped (and counted). Default 20,000. */
  maxBuffered?: number;
  /** Rows per INSERT; a full batch is written at once. Default 500. */
  batchSize?: number;
  /** Longest a row waits before it is written. Default 200 ms. */
  flushIntervalMs?: number;
  /** Ceiling of the retry delay after failed writes (doubling from flushIntervalMs). Default 30 s. */
  maxBackoffMs?: number;
};

/**
 * `dropped`: rows lost (buffer full, shutdown while the database is away, or refused even
 * sanitised); `sanitised`: rows the database refused as they were and took cleaned (NUL, lone
 * surrogates replaced); `refused`: of the dropped, those refused even sanitised.
 */
export type ApiLogBufferStats = { buffered: number; written: number; dropped: number; failedWrites: number; sanitised: number; refused: number };

/** The row with every text made storable (NUL and lone surrogates replaced). */
export function sanitiseEntry(entry: ApiLogEntry): ApiLogEntry {
  const text = (s: string | null) => (s === null ? null : toStorableText(s));
  return {
    ...entry, method: toStorableText(entry.method), endpoint: toStorableText(entry.endpoint), errorCode: text(entry.errorCode),
    requestId: text(entry.requestId), ip: text(entry.ip), requestBody: toStorableJson(entry.requestBody), responseBody: toStorableJson(entry.responseBody),
  };
}

export type ApiLogBuffer = {
  push(entry: ApiLogEntry): void;
  /** Write everything buffered now (and what arrives meanwhile); never throws. */
  flush(): Promise<void>;
  stats(): ApiLogBufferStats;
  /** Why the database refused the last row it refused even sanitised (SQLSTATE: message), if any. */
  lastRefusal(): string | null;
  /** Last flush, then refuse new rows (app shutdown). */
  close(): Promise<void>;
};

export function createApiLogBuffer(db: Database, log: Logger, options: ApiLogBufferOptions = {}): ApiLogBuffer {
  const maxBuffered = options.maxBuffered ?? 20_000;
  const batchSize = options.batchSize ?? 500;
  const interval = options.flushIntervalMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let rows: ApiLogEntry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | null = null;
  let consecutiveFailures = 0;
  let isClosed = false;
  const counters = { written: 0, dropped: 0, failedWrites: 0, sanitised: 0, refused: 0 };
  let lastRefusal: string | null = null;
  const write = (batch: readonly ApiLogEntry[]) => db.withPlatform((tx) => insertApiLogs(tx, batch));

  const schedule = (delay: number) => {
    if (timer || isClosed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void startDrain();
    }, delay);
    timer.unref();
  };

  const account = (result: IsolatingWriteResult<ApiLogEntry>) => {
    counters.written += result.written;
    counters.sanitised += result.sanitised;
    if (result.sanitised > 0) log.warn({ rows: result.sanitised }, 'api logs: rows refused by the database were written sanitised');
    for (const { row, error } of result.dropped) {
      counters.dropped++;
      counters.refused++;
      lastRefusal = `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message ?? String(error)}`.slice(0, 500);
      log.error({ err: error, requestId: row.requestId, endpoint: row.endpoint, status: row.status }, 'api logs: a row was refused even sanitised; dropped');
    }
  };

  async function drain(): Promise<void> {
    while (rows.length > 0) {
      const batch = rows.length <= batchSize ? rows : rows.slice(0, batchSize);
      rows = rows.length <= batchSize ? [] : rows.slice(batchSize);
      try {
        account(await writeIsolating(batch, write, sanitiseEntry));
        if (consecutiveFailures > 0) log.info({ afterFailures: consecutiveFailures }, 'api logs: writing again');
        consecutiveFailures = 0;
      } catch (err) {
        // The database is away: what was written stays written, the rest goes back to the front.
        const unwritten = err instanceof UnwrittenRowsError ? (err.unwritten as ApiLogEntry[]) : batch;
        if (err instanceof UnwrittenRowsError) account(err.progress as IsolatingWriteResult<ApiLogEntry>);
        counters.failedWrites++;
        if (consecutiveFailures === 0) log.warn({ err: err instanceof UnwrittenRowsError ? err.cause : err, rows: unwritten.length }, 'api logs: a batch could not be written; retrying with backoff');
        consecutiveFailures++;
        const room = Math.max(0, maxBuffered - rows.length);
        const kept = unwritten.length <= room ? unwritten : unwritten.slice(unwritten.length - room);
        counters.dropped += unwritten.length - kept.length;
        rows = kept.concat(rows);
        return;
      }
    }
  }

  function startDrain(): Promise<void> {
    draining ??= drain().finally(() => {
      draining = null;
      if (rows.length > 0) schedule(consecutiveFailures > 0 ? Math.min(maxBackoff, interval * 2 ** consecutiveFailures) : interval);
    });
    return draining;
  }

  async function flush(): Promise<void> {
    if (draining) await draining;
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (rows.length > 0) await startDrain();
  }

  return {
    push(entry) {
      if (isClosed || rows.length >= maxBuffered) {
        counters.dropped++;
        return;
      }
      rows.push(entry);
      if (draining) return; // the running drain takes it
      if (rows.length >= batchSize && consecutiveFailures === 0) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        void startDrain();
      } else {
        schedule(interval);
      }
    },
    flush,
    stats() {
      return { buffered: rows.length, ...counters };
    },
    lastRefusal() {
      return lastRefusal;
    },
    async close() {
      await flush();
      isClosed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (rows.length > 0) {
        counters.dropped += rows.length;
        log.warn({ rows: rows.length }, 'api logs: rows dropped at shutdown (database unavailable)');
        rows = [];
      }
    },
  };
}
