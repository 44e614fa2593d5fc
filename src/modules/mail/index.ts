import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { insertMail, listAllMail } from './mail.store.ts';
import type { NewMail } from './mail.store.ts';
import { mailRoutes } from './mail.routes.ts';
import { createDeliveryWorker } from './deliver-mail.worker.ts';

export type { NewMail, OutboxMessage } from './mail.store.ts';
export { MailSchema, MailWithDeliverySchema, MailListQuery } from './mail.schema.ts';

export function createMailModule(deps: KernelDeps) {
  const status = deps.config.smtpUrl ? 'pending' : 'stored';
  return {
    routes: mailRoutes(deps.db),
    worker: createDeliveryWorker(deps),
    /** Queue a mail inside the caller's tenant transaction. */
    enqueue(tx: Tx, mail: NewMail): Promise<string> {
      return insertMail(tx, mail, status);
    },
    /** Every workspace's outbox, newest first; for the platform path (db.withPlatform) only. */
    listAllMail(tx: Tx, options: { limit: number; before?: string }) {
      return listAllMail(tx, options);
    },
  };
}

export type MailModule = ReturnType<typeof createMailModule>;
