// The AuditContext of an HTTP request, from its principal and headers.
import type { FastifyRequest } from 'fastify';
import type { AuditActor, AuditContext } from './audit.types.ts';

// W3C Trace Context: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>.
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function traceIdOf(request: FastifyRequest): string | null {
  const header = request.headers.traceparent;
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  return match && !/^0+$/.test(match[1]) ? match[1] : null;
}

/**
 * A platform admin is recorded as `platform_admin` on the platform-admin routes; in a
 * workspace they belong to, they act as a `user` like any member. No principal (public
 * routes): `system`, and the use-case names the user once it knows them (login, signup).
 */
export function actorOf(request: FastifyRequest): AuditActor {
  const p = request.principal;
  if (!p) return { type: 'system', id: null };
  if (p.kind === 'api_key') return { type: 'api_key', id: p.apiKeyId };
  const isAdminRoute = request.routeOptions.config?.auth === 'platform-admin';
  return { type: isAdminRoute && p.isPlatformAdmin ? 'platform_admin' : 'user', id: p.userId };
}

export function auditContextOf(request: FastifyRequest): AuditContext {
  const userAgent = request.headers['user-agent'];
  return {
    actor: actorOf(request),
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    requestId: request.id,
    traceId: traceIdOf(request),
  };
}

/** The same context acting as someone else (e.g. the user a login or signup just identified). */
export function withActor(context: AuditContext, actor: AuditActor): AuditContext {
  return { ...context, actor: { realActorId: context.actor.realActorId ?? null, ...actor } };
}

/** A context for work without a request: the CLI, start-up, workers. */
export function systemContext(source: string, actor: AuditActor = { type: 'system', id: null }): AuditContext {
  return { actor, ip: null, userAgent: source, requestId: null, traceId: null };
}
