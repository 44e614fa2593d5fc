// Delivers pending outbox mails over SMTP. Only runs when SMTP_URL is set; otherwise mails are
// stored and read in the console's dev mailbox. (The job engine of the durable-execution issue
// takes this over.)
import { toStorableText } from '../../kernel/db/isolating-write.ts';
import nodemailer from 'nodemailer';
import type { KernelDeps, Worker } from '../../kernel/module.ts';
import { claimPending, markFailed, markSent } from './mail.store.ts';

export function createDeliveryWorker({ config, db, log }: KernelDeps): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let isStopped = false;
  const transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;

  async function tick(): Promise<void> {
    if (!transport) return;
    await db.withPlatform(async (tx) => {
      const batch = await claimPending(tx, 20);
      for (const m of batch) {
        try {
          await transport.sendMail({ from: config.mailFrom, to: m.to, subject: m.subject, text: m.text, html: m.html ?? undefined });
          await markSent(tx, m);
        } catch (err) {
          log.warn({ err, mailId: m.id }, 'mail delivery failed');
          // The SMTP server's words, made storable: a NUL in them must not abort the batch (and resend the mails already sent).
          await markFailed(tx, m, toStorableText(String((err as Error).message ?? err).slice(0, 2000)));
        }
      }
    });
  }

  return {
    name: 'mail-delivery',
    start() {
      if (!transport) return;
      const loop = () => {
        if (isStopped) return;
        running = tick().catch((err) => log.error({ err }, 'mail worker tick failed'));
        running.finally(() => { if (!isStopped) timer = setTimeout(loop, 2000); });
      };
      loop();
    },
    async stop() {
      isStopped = true;
      if (timer) clearTimeout(timer);
      await running;
      transport?.close();
    },
  };
}
