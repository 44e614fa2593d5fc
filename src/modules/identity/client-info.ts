import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from './identity.context.ts';

/** The caller's address (as the HTTP layer resolved it) and user agent. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}
