import type { SupportContext } from './support.context.ts';
import type { Assignee } from './support.schema.ts';
import { listPlatformAdmins } from './support.store.ts';

/** Who a ticket can be assigned to: the platform admins (platform path). */
export async function listAssignees(ctx: SupportContext): Promise<{ data: Assignee[] }> {
  return { data: await ctx.db.withPlatform((tx) => listPlatformAdmins(tx)) };
}
