// Every platform-admin action is an audit event (actor `platform_admin`) in the chain of the
// workspace it touches, written in the action's transaction by the use-cases. Reads across
// workspaces belong to no single chain: they stay a structured log line per request.
import type { FastifyBaseLogger } from 'fastify';
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

/** Pino's logger or a request's child logger (which carries the request id). */
type RequestLog = Pick<FastifyBaseLogger, 'info'>;

export function logAdminRequest(log: RequestLog, userId: string | null, target: Record<string, unknown>): void {
  log.info({ audit: true, actorUserId: userId, via: 'api', action: 'admin.request', ...target }, 'platform admin: admin.request');
}
