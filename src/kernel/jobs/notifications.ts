// The wake-up line: one dedicated connection LISTENs for new jobs (payload: the queue) and for
// cancellations (payload: the job id). Lost, it reconnects every second while the engine runs;
// meanwhile the poll backstop keeps jobs moving.
import pg from 'pg';
import type { Logger } from '../logging.ts';
import { CANCEL_CHANNEL, JOBS_CHANNEL } from './jobs.store.ts';

export type NotificationListener = { start(): Promise<void>; stop(): Promise<void> };

export function createNotificationListener(options: {
  url: string; log: Logger; isActive: () => boolean;
  onJob: (queue: string) => void; onCancel: (jobId: string) => void; onListening: () => void;
}): NotificationListener {
  const { log } = options;
  let client: pg.Client | undefined;

  const retryLater = () => {
    if (options.isActive()) setTimeout(() => { if (options.isActive() && !client) start().catch(() => undefined); }, 1000).unref();
  };

  async function start(): Promise<void> {
    const c = new pg.Client({ connectionString: options.url, application_name: 'atrium-jobs-listen' });
    c.on('error', (err) => log.warn({ err }, 'job notification connection lost; polling until it is back'));
    c.on('end', () => {
      client = undefined;
      retryLater();
    });
    c.on('notification', (n) => {
      if (n.channel === JOBS_CHANNEL && n.payload) options.onJob(n.payload);
      else if (n.channel === CANCEL_CHANNEL && n.payload) options.onCancel(n.payload);
    });
    try {
      await c.connect();
      await c.query(`listen ${JOBS_CHANNEL}`);
      await c.query(`listen ${CANCEL_CHANNEL}`);
      client = c;
      options.onListening();
    } catch (err) {
      log.warn({ err }, 'could not listen for job notifications; retrying');
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
