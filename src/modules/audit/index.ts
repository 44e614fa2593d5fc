// CONTRACT STUB — the audit helper replaces the implementation, keeping these exports.
import type { FastifyRequest } from 'fastify';
import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditContext, AuditEventInput } from './audit.types.ts';

export type { AuditActor, AuditActorType, AuditContext, AuditEventInput, AuditOutcome } from './audit.types.ts';

/** The audit context of an HTTP request, from its principal. */
export function auditContextOf(request: FastifyRequest): AuditContext {
  const p = request.principal;
  const actor = !p
    ? { type: 'system' as const, id: null }
    : p.kind === 'api_key'
      ? { type: 'api_key' as const, id: p.apiKeyId }
      : { type: p.isPlatformAdmin ? ('platform_admin' as const) : ('user' as const), id: p.userId };
  return { actor, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id, traceId: null };
}

export function createAuditModule(_deps: KernelDeps) {
  return {
    /** Append one event in the caller's transaction (bound to event.workspaceId). */
    async record(_tx: Tx, _context: AuditContext, _event: AuditEventInput): Promise<void> {},
  };
}

export type AuditModule = ReturnType<typeof createAuditModule>;
