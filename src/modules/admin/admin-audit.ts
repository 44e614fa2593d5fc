// Every platform-admin action is an audit event (actor `platform_admin`) in the chain of the
// workspace it touches, written in the action's transaction by the use-cases. Reads across
// workspaces belong to no single chain: the kernel logs one structured line per request of every
// `auth: 'platform-admin'` route (kernel/http/app.ts).
import { systemContext } from '../audit/index.ts';
import type { AuditContext } from '../audit/index.ts';

export type AdminActor = { userId: string | null; via: 'api' | 'cli' | 'startup' };

/**
 * The audit context of an admin action outside a request (CLI, start-up): the platform admin
 * when known, else `system`; the user agent says where it came from (`atrium-cli`).
 */
export function auditContextOfAdmin(actor: AdminActor): AuditContext {
  return systemContext(`atrium-${actor.via}`, actor.userId ? { type: 'platform_admin', id: actor.userId } : { type: 'system', id: null });
}
