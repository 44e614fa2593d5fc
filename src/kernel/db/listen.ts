// A dedicated LISTEN connection (never from a pool: a pooled or PgBouncer connection is not
// yours between transactions). Lost, it reconnects every second while `isActive()`; `onListening`
// runs after each (re)connection, so a caller can catch up on what it may have missed. Used by the
// job engine's wake-up line and the cache invalidation bus.
import pg from 'pg';
import type { Logger } from '../logging.ts';

export type ListenLine = { start(): Promise<void>; stop(): Promise<void> };

export function createListenLine(options: {
  url: () => string; channels: string[]; applicationName: string; log: Logger; lostMessage: string;
  isActive: () => boolean; onNotification: (channel: string, payload: string) => void; onListening: () => void;
}): ListenLine {
  const { log } = options;
  let client: pg.Client | undefined;

  const retryLater = () => {
    if (options.isActive()) setTimeout(() => { if (options.isActive() && !client) start().catch(() => undefined); }, 1000).unref();
  };

  async function start(): Promise<void> {
    const c = new pg.Client({ connectionString: options.url(), application_name: options.applicationName });
    c.on('error', (err) => log.warn({ err }, options.lostMessage));
    c.on('end', () => {
      if (client === c) client = undefined;
      retryLater();
    });
    c.on('notification', (n) => { if (n.payload) options.onNotification(n.channel, n.payload); });
    try {
      await c.connect();
      for (const channel of options.channels) await c.query(`listen ${channel}`);
      client = c;
      options.onListening();
    } catch (err) {
      log.warn({ err, channels: options.channels }, 'could not LISTEN; retrying');
      await c.end().catch(() => undefined);
      retryLater();
    }
  }

  return {
    start,
    async stop() {
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
