import pg from 'pg';
import type { Logger } from '../logging.ts';
import { endSpan, isTracing, statementSpan } from '../tracing.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// Timestamps come back as Date, bigint (count(*)) as a JS number where it fits.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** An aggregate as a number: counts arrive as numbers (above), numeric sums as text, an empty sum as null (0). */
export const toNumber = (v: string | number | null | undefined): number => (v === null || v === undefined ? 0 : Number(v));

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback)\s*;?\s*$/i;

/**
 * The pools' client, when it has something to add to pg's:
 * - `dropNames` (behind a transaction-pooling PgBouncer): a named (server-side prepared)
 *   statement lives on one server connection, and the next transaction may be given another, so
 *   names are dropped and every statement is parsed where it runs (PgBouncer 1.21+ can track
 *   them; Debian 12 ships 1.18; docs/adr/0024);
 * - `trace` (OpenTelemetry on): each statement run inside a span gets its own (begin/commit aside).
 */
function clientClass(options: { dropNames: boolean; trace: boolean }): typeof pg.Client {
  return class AtriumClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [first] = args;
      const isConfig = first !== null && typeof first === 'object';
      if (options.dropNames && isConfig && (first as { name?: unknown }).name !== undefined) {
        const { name: _name, ...unnamed } = first as pg.QueryConfig;
        args[0] = unnamed;
      }
      const text = typeof first === 'string' ? first : isConfig ? (first as { text?: unknown }).text : undefined;
      const span = options.trace && typeof text === 'string' && !TRANSACTION_CONTROL.test(text) ? statementSpan(text, this.database) : undefined;
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (span && result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(() => endSpan(span), (err: unknown) => endSpan(span, err));
      } else if (span) {
        endSpan(span);
      }
      return result as never;
    }
  };
}

export type PoolOptions = { max: number; name: string; log: Logger; pipeline?: boolean; pooler?: 'none' | 'transaction' };

export function createPool(connectionString: string, options: PoolOptions): Pool {
  const pool = new pg.Pool({
    ...(options.pooler === 'transaction' || isTracing() ? { Client: clientClass({ dropNames: options.pooler === 'transaction', trace: isTracing() }) } : {}),
    connectionString,
    max: options.max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: `atrium-${options.name}`,
    // Pipeline mode: queued statements are sent without waiting for the previous answer
    // (see database.ts). Each keeps its own Sync, so errors stay per statement.
    pipeline: options.pipeline ?? true,
  } as pg.PoolConfig);
  // A client losing its connection (PostgreSQL restart) must not crash the process: the pool's
  // handler covers idle clients; a checked-out client between two statements emits on itself,
  // and its next statement fails (the caller sees the error, the broken client is discarded).
  pool.on('connect', (client) => {
    client.on('error', (err: Error & { code?: string }) =>
      options.log.warn({ pool: options.name, error: err.message, code: err.code }, 'database connection lost'));
  });
  pool.on('error', (err: Error & { code?: string }) =>
    options.log.warn({ pool: options.name, error: err.message, code: err.code }, 'idle database connection error'));
  // pg-pool's end() resolves once its clients are *asked* to end, before their sockets close: a
  // PostgreSQL stopped right after would terminate them mid-goodbye (57P01 on every connection).
  // Our end() resolves when every connection this pool opened has closed.
  const open = new Set<Promise<void>>();
  pool.on('connect', (client) => {
    const closed = new Promise<void>((resolve) => client.once('end', () => resolve()));
    open.add(closed);
    void closed.then(() => open.delete(closed));
  });
  const end = pool.end.bind(pool);
  pool.end = (async () => {
    await end();
    await Promise.all([...open]);
  }) as Pool['end'];
  return pool;
}

/** The request role's URL: same server and database, the atrium_app login. */
export function deriveAppUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = 'atrium_app';
  url.password = password;
  return url.toString();
}
