import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { insertMail } from './mail.store.ts';
import type { NewMail } from './mail.store.ts';
import { mailRoutes } from './mail.routes.ts';
import { createDeliveryWorker } from './deliver-mail.worker.ts';

export type { NewMail, OutboxMessage } from './mail.store.ts';

export function createMailModule(deps: KernelDeps) {
  const status = deps.config.smtpUrl ? 'pending' : 'stored';
  return {
    routes: mailRoutes(deps.db),
    worker: createDeliveryWorker(deps),
    /** Queue a mail inside the caller's tenant transaction. */
    enqueue(tx: Tx, mail: NewMail): Promise<string> {
      return insertMail(tx, mail, status);
    },
  };
}

export type MailModule = ReturnType<typeof createMailModule>;
