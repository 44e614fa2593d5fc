import type { OutboxMessage } from '../mail/index.ts';
import type { AdminContext } from './admin.context.ts';

export type MailPage = { data: OutboxMessage[]; nextCursor: string | null };

/** The outbox of every workspace, newest first (a platform admin's dev mailbox). */
export async function listAllMail(deps: Pick<AdminContext, 'db' | 'mail'>, page: { limit: number; cursor?: string }): Promise<MailPage> {
  const data = await deps.db.withPlatform((tx) => deps.mail.listAllMail(tx, { limit: page.limit, before: page.cursor }));
  return { data, nextCursor: data.length === page.limit ? data[data.length - 1].id : null };
}
