// Cache invalidation across processes. Each process keeps small caches (sessions and API keys,
// access, a workspace's AI settings, webhook endpoints, MCP servers) that a change must clear in
// every API and worker process, not only the one that made it. A cache's forget function is made
// shared: calling it forgets here at once and sends a NOTIFY on `atrium_invalidate`; every other
// process LISTENs on one dedicated connection (a direct one: LISTEN does not survive a
// transaction-pooling PgBouncer) and forgets the same key. A listener that lost its connection may
// have missed messages: when it is back, it forgets everything. The caches' own short TTLs stay the
// backstop while it is away.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database } from './db/database.ts';
import type { Logger } from './logging.ts';

export const INVALIDATE_CHANNEL = 'atrium_invalidate';

type Forget = (key?: string) => void;

export type Bus = {
  /**
   * `forget`, made cluster-wide under `topic`: the returned function forgets `key` (or everything)
   * here and in every other process. Call it once the change has committed.
   */
  shared(topic: string, forget: Forget): Forget;
  /** Listen for other processes' invalidations (API and worker processes; a CLI command only sends). */
  start(): Promise<void>;
  stop(): Promise<void>;
};

export function createBus(options: { db: Database; log: Logger; listenUrl?: () => string }): Bus {
  const { db, log } = options;
  const origin = randomUUID();
  const topics = new Map<string, Forget>();
  let client: pg.Client | undefined;
  let isActive = false;
  let hasListened = false;

  const forgetAll = () => {
    for (const [topic, forget] of topics) {
      try {
        forget();
      } catch (err) {
        log.warn({ err, topic }, 'a cache could not be cleared');
      }
    }
  };

  const retryLater = () => {
    if (isActive) setTimeout(() => { if (isActive && !client) connect().catch(() => undefined); }, 1000).unref();
  };

  async function connect(): Promise<void> {
    const url = options.listenUrl?.() ?? (db.owner.options as { connectionString?: string }).connectionString!;
    const c = new pg.Client({ connectionString: url, application_name: 'atrium-invalidate-listen' });
    c.on('error', (err) => log.warn({ err }, 'cache invalidation connection lost; caches fall back to their TTLs until it is back'));
    c.on('end', () => {
      if (client === c) client = undefined;
      retryLater();
    });
    c.on('notification', (n) => {
      if (n.channel !== INVALIDATE_CHANNEL || !n.payload) return;
      let message: { o?: unknown; t?: unknown; k?: unknown };
      try {
        message = JSON.parse(n.payload) as typeof message;
      } catch {
        return;
      }
      if (message.o === origin || typeof message.t !== 'string') return;
      const forget = topics.get(message.t);
      if (!forget) return;
      try {
        forget(typeof message.k === 'string' ? message.k : undefined);
      } catch (err) {
        log.warn({ err, topic: message.t }, 'a cache could not be cleared');
      }
    });
    try {
      await c.connect();
      await c.query(`listen ${INVALIDATE_CHANNEL}`);
      client = c;
      // Back after a loss: whatever was sent meanwhile is unknown.
      if (hasListened) forgetAll();
      hasListened = true;
    } catch (err) {
      log.warn({ err }, 'could not listen for cache invalidations; retrying');
      await c.end().catch(() => undefined);
      retryLater();
    }
  }

  return {
    shared(topic, forget) {
      if (topics.has(topic)) throw new Error(`bus: topic ${topic} is already shared`);
      topics.set(topic, forget);
      return (key) => {
        forget(key);
        const payload = JSON.stringify({ o: origin, t: topic, k: key ?? null });
        db.app.query('select pg_notify($1, $2)', [INVALIDATE_CHANNEL, payload]).catch((err: unknown) => {
          log.warn({ err, topic }, 'a cache invalidation could not be sent; other processes clear it at its TTL');
        });
      };
    },
    async start() {
      if (isActive) return;
      isActive = true;
      await connect();
    },
    async stop() {
      isActive = false;
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
