// Every platform-admin action is recorded. Until the audit module exists (a later issue moves
// this into an audit event written in the same transaction), it is a structured log line.
import type { FastifyBaseLogger } from 'fastify';

export type AdminActor = { userId: string | null; via: 'api' | 'cli' | 'startup' };

/** Pino's logger or a request's child logger (which carries the request id). */
type AuditLog = Pick<FastifyBaseLogger, 'info'>;

export function recordAdminAction(log: AuditLog, actor: AdminActor, action: string, target: Record<string, unknown>): void {
  log.info({ audit: true, actorUserId: actor.userId, via: actor.via, action, ...target }, `platform admin: ${action}`);
}
