// The wake-up line: one dedicated connection LISTENs for new jobs (payload: the queue) and for
// cancellations (payload: the job id). Lost, it reconnects every second while the engine runs;
// meanwhile the poll backstop keeps jobs moving.
import type { Logger } from '../logging.ts';
import { createListenLine } from '../db/listen.ts';
import type { ListenLine } from '../db/listen.ts';
import { CANCEL_CHANNEL, JOBS_CHANNEL } from './jobs.store.ts';

export type NotificationListener = ListenLine;

export function createNotificationListener(options: {
  url: string; log: Logger; isActive: () => boolean;
  onJob: (queue: string) => void; onCancel: (jobId: string) => void; onListening: () => void;
}): NotificationListener {
  return createListenLine({
    url: () => options.url, channels: [JOBS_CHANNEL, CANCEL_CHANNEL], applicationName: 'atrium-jobs-listen', log: options.log,
    lostMessage: 'job notification connection lost; polling until it is back', isActive: options.isActive, onListening: options.onListening,
    onNotification: (channel, payload) => {
      if (channel === JOBS_CHANNEL) options.onJob(payload);
      else if (channel === CANCEL_CHANNEL) options.onCancel(payload);
    },
  });
}
