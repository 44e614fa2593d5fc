// Delivers an outbox mail over SMTP, on the job engine (one job per mail, enqueued in the
// transaction that wrote the mail). The SMTP conversation happens outside any database
// transaction: read the mail (a short transaction), send, record the outcome (another short
// transaction). A failed send is recorded on the mail and the job retries with backoff; after the
// last attempt the mail is `failed`. A crash between the send and the record sends again on retry
// (at least once: SMTP has no idempotency key). Without SMTP_URL no job is enqueued: mails are
// `stored` and read in the console's dev mailbox.
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { toStorableText } from '../../kernel/db/isolating-write.ts';
import type { KernelDeps } from '../../kernel/module.ts';
import type { JobContext } from '../../kernel/jobs/index.ts';
import { findPending, markFailed, markSent } from './mail.store.ts';

export const DELIVER_MAIL_QUEUE = 'mail.deliver';
export const MAIL_MAX_ATTEMPTS = 5;

export type DeliverMailPayload = { mailId: string };

export function deliverMailJob({ config, db }: KernelDeps): { handler: (job: JobContext<DeliverMailPayload>) => Promise<void>; close: () => void } {
  let transport: Transporter | undefined;
  const transportOf = () => (transport ??= nodemailer.createTransport(config.smtpUrl!));

  async function handler(job: JobContext<DeliverMailPayload>): Promise<void> {
    const workspaceId = job.workspaceId!;
    const mail = await db.withWorkspace(workspaceId, (tx) => findPending(tx, workspaceId, job.payload.mailId));
    if (!mail) return; // already sent, failed for good, or gone (a retry after a crash that recorded it)
    try {
      await transportOf().sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html ?? undefined });
    } catch (err) {
      const isLast = job.attempt >= job.maxAttempts;
      // The SMTP server's words, made storable (a NUL in them must not fail the record).
      const message = toStorableText(String((err as Error).message ?? err).slice(0, 2000));
      await db.withWorkspace(workspaceId, (tx) => markFailed(tx, mail, message, isLast));
      throw err;
    }
    await db.withWorkspace(workspaceId, (tx) => markSent(tx, mail));
  }

  return { handler, close: () => transport?.close() };
}
