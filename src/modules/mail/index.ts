// The mail module's door: an outbox written in the caller's transaction; delivery over SMTP by
// a job per mail (deliver-mail.job.ts) when SMTP_URL is set, else the dev mailbox.
import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import { insertMail, listAllMail, selectPendingIds } from './mail.store.ts';
import type { NewMail } from './mail.store.ts';
import { mailRoutes } from './mail.routes.ts';
import { DELIVER_MAIL_QUEUE, MAIL_MAX_ATTEMPTS, deliverMailJob } from './deliver-mail.job.ts';
import type { DeliverMailPayload } from './deliver-mail.job.ts';

export type { NewMail, OutboxMessage } from './mail.store.ts';
export { MailSchema, MailWithDeliverySchema, MailListQuery } from './mail.schema.ts';
export { DELIVER_MAIL_QUEUE } from './deliver-mail.job.ts';

export function createMailModule(deps: KernelDeps, modules: { jobs: JobEngine }) {
  const isDelivering = Boolean(deps.config.smtpUrl);
  const delivery = deliverMailJob(deps);
  if (isDelivering) {
    modules.jobs.define<DeliverMailPayload>({
      name: DELIVER_MAIL_QUEUE, handler: delivery.handler, concurrency: 5, maxAttempts: MAIL_MAX_ATTEMPTS,
      timeoutMs: 60_000, backoff: { baseMs: 5_000, maxMs: 15 * 60_000 },
    });
  }
  return {
    routes: mailRoutes(deps.db),
    /**
     * Queue a mail inside the caller's tenant transaction: the mail (and its delivery job, with
     * SMTP) exist only if that transaction commits.
     */
    async enqueue(tx: Tx, mail: NewMail): Promise<string> {
      const id = await insertMail(tx, mail, isDelivering ? 'pending' : 'stored');
      if (isDelivering) await modules.jobs.enqueue<DeliverMailPayload>(tx, DELIVER_MAIL_QUEUE, { mailId: id }, { workspaceId: mail.workspaceId, idempotencyKey: `mail:${id}` });
      return id;
    },
    /**
     * At start (platform path): a delivery job for every pending mail that has none live — mails
     * written before delivery moved onto the job engine, or by a process without SMTP_URL. The
     * idempotency key makes it a no-op for mails whose job is queued or running.
     */
    async resumePending(tx: Tx): Promise<number> {
      if (!isDelivering) return 0;
      const pending = await selectPendingIds(tx, 10_000);
      for (const m of pending) {
        await modules.jobs.enqueue<DeliverMailPayload>(tx, DELIVER_MAIL_QUEUE, { mailId: m.id }, { workspaceId: m.workspaceId, idempotencyKey: `mail:${m.id}` });
      }
      return pending.length;
    },
    /** Every workspace's outbox, newest first; for the platform path (db.withPlatform) only. */
    listAllMail(tx: Tx, options: { limit: number; before?: string }) {
      return listAllMail(tx, options);
    },
    /** Closes the SMTP connections (at shutdown, after the job engine stopped). */
    close(): void {
      delivery.close();
    },
  };
}

export type MailModule = ReturnType<typeof createMailModule>;
