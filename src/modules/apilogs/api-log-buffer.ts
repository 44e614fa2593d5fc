// The write path of API logs, on every request, so it must cost next to nothing: a request only
// pushes a row into memory; rows leave in batches (every `flushIntervalMs`, or at once when a
// batch is full) as ONE multi-row INSERT on the platform path. The buffer is bounded: while the
// database is down, failed batches go back to the front as far as room allows, and rows beyond
// the bound are dropped and counted. A request never waits for the database here.
import type { Database } from '../../kernel/db/database.ts';
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

export type ApiLogBufferStats = { buffered: number; written: number; dropped: number; failedWrites: number };

export type ApiLogBuffer = {
  push(entry: ApiLogEntry): void;
  /** Write everything buffered now (and what arrives meanwhile); never throws. */
  flush(): Promise<void>;
  stats(): ApiLogBufferStats;
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
  const counters = { written: 0, dropped: 0, failedWrites: 0 };

  const schedule = (delay: number) => {
    if (timer || isClosed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void startDrain();
    }, delay);
    timer.unref();
  };

  async function drain(): Promise<void> {
    while (rows.length > 0) {
      const batch = rows.length <= batchSize ? rows : rows.slice(0, batchSize);
      rows = rows.length <= batchSize ? [] : rows.slice(batchSize);
      try {
        await db.withPlatform((tx) => insertApiLogs(tx, batch));
        counters.written += batch.length;
        if (consecutiveFailures > 0) log.info({ afterFailures: consecutiveFailures }, 'api logs: writing again');
        consecutiveFailures = 0;
      } catch (err) {
        counters.failedWrites++;
        if (consecutiveFailures === 0) log.warn({ err, rows: batch.length }, 'api logs: a batch could not be written; retrying with backoff');
        consecutiveFailures++;
        const room = Math.max(0, maxBuffered - rows.length);
        const kept = batch.length <= room ? batch : batch.slice(batch.length - room);
        counters.dropped += batch.length - kept.length;
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
