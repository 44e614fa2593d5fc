// Cache invalidation across processes. Each process keeps small caches (sessions and API keys,
// access, a workspace's AI settings, webhook endpoints, MCP servers) that a change must clear in
// every API and worker process, not only the one that made it. A cache's forget function is made
// shared: calling it forgets here at once and sends a NOTIFY on `atrium_invalidate`; every other
// process LISTENs on one dedicated connection (a direct one: LISTEN does not survive a
// transaction-pooling PgBouncer) and forgets the same key. A listener that lost its connection may
// have missed messages: when it is back, it forgets everything. The caches' own short TTLs stay the
// backstop while it is away.
import { randomUUID } from 'node:crypto';
import type { Database } from './db/database.ts';
import type { Logger } from './logging.ts';
import { createListenLine } from './db/listen.ts';

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

export function createBus(options: { db: Database; log: Logger }): Bus {
  const { db, log } = options;
  const origin = randomUUID();
  const topics = new Map<string, Forget>();
  let isActive = false;
  let hasListened = false;

  const forget = (topic: string, f: Forget, key?: string) => {
    try {
      f(key);
    } catch (err) {
      log.warn({ err, topic }, 'a cache could not be cleared');
    }
  };

  const line = createListenLine({
    url: () => db.directUrl,
    channels: [INVALIDATE_CHANNEL], applicationName: 'atrium-invalidate-listen', log,
    lostMessage: 'cache invalidation connection lost; caches fall back to their TTLs until it is back',
    isActive: () => isActive,
    onNotification: (_channel, payload) => {
      let message: { o?: unknown; t?: unknown; k?: unknown };
      try {
        message = JSON.parse(payload) as typeof message;
      } catch {
        return;
      }
      if (message.o === origin || typeof message.t !== 'string') return;
      const f = topics.get(message.t);
      if (f) forget(message.t, f, typeof message.k === 'string' ? message.k : undefined);
    },
    // Back after a loss: whatever was sent meanwhile is unknown, so everything is forgotten.
    onListening: () => {
      if (hasListened) for (const [topic, f] of topics) forget(topic, f);
      hasListened = true;
    },
  });

  return {
    shared(topic, f) {
      if (topics.has(topic)) throw new Error(`bus: topic ${topic} is already shared`);
      topics.set(topic, f);
      return (key) => {
        f(key);
        const payload = JSON.stringify({ o: origin, t: topic, k: key ?? null });
        db.app.query('select pg_notify($1, $2)', [INVALIDATE_CHANNEL, payload]).catch((err: unknown) => {
          log.warn({ err, topic }, 'a cache invalidation could not be sent; other processes clear it at its TTL');
        });
      };
    },
    async start() {
      if (isActive) return;
      isActive = true;
      await line.start();
    },
    async stop() {
      isActive = false;
      await line.stop();
    },
  };
}
