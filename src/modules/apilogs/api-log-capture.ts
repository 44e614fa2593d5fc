// The hooks that turn each API request into a buffered api_logs row. Cheap on success: a few
// property reads and one array push. Only an error (status >= 400) pays for its bodies: the
// parsed request body and the problem+json answer, redacted and size-capped.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { uuidv7 } from '../../kernel/ids.ts';
import type { ApiLogBuffer } from './api-log-buffer.ts';
import type { ApiLogEntry } from './api-logs.types.ts';
import { parseResponsePayload, redactBody } from './redact-body.ts';

const MAX_ENDPOINT = 300;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,99}$/;

/** Is this request an API call (not the console's files, /docs, health or metrics)? */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

/** The route pattern; an unmatched path keeps its path, without the query string. */
function endpointOf(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (pattern) return pattern.slice(0, MAX_ENDPOINT);
  const path = request.url.split('?')[0];
  return path.slice(0, MAX_ENDPOINT);
}

export function buildEntry(request: FastifyRequest, reply: FastifyReply, errorPayload: unknown): ApiLogEntry {
  const principal = request.principal;
  // The platform admin's own routes belong to no tenant: they are kept off the admin's
  // workspace's logs (the platform path sees them).
  const isPlatformRoute = request.routeOptions.config?.auth === 'platform-admin';
  const status = reply.statusCode;
  let requestBody: unknown = null;
  let responseBody: unknown = null;
  let errorCode: string | null = null;
  if (status >= 400) {
    // Redaction works by key; a secret value sent under an unexpected key would slip through.
    requestBody = request.routeOptions.config?.hasSecretBody ? { withheld: 'this route carries secret values' } : redactBody(request.body, 'request');
    const parsed = parseResponsePayload(errorPayload);
    responseBody = redactBody(parsed, 'response');
    const code = parsed !== null && typeof parsed === 'object' && 'code' in parsed ? (parsed as { code: unknown }).code : undefined;
    errorCode = typeof code === 'string' && ERROR_CODE.test(code) ? code : `HTTP_${status}`;
  }
  return {
    id: uuidv7(),
    workspaceId: principal && !isPlatformRoute ? principal.workspaceId : null,
    createdAt: new Date(Date.now() - reply.elapsedTime),
    method: request.method,
    endpoint: endpointOf(request),
    status,
    durationMs: Math.round(reply.elapsedTime * 100) / 100,
    errorCode,
    requestId: request.id.slice(0, 200),
    actorType: principal ? principal.kind : null,
    actorId: principal ? (principal.kind === 'api_key' ? principal.apiKeyId : principal.userId) : null,
    ip: request.ip ? request.ip.slice(0, 100) : null,
    requestBody,
    responseBody,
  };
}

/**
 * Adds the capture hooks to the root app. Call before the API routes are registered (hooks of
 * the root apply to the plugins registered after them), and close the buffer on app close.
 */
export function registerApiLogCapture(app: FastifyInstance, buffer: ApiLogBuffer): void {
  // The answer's body is only known in onSend: kept for errors, until onResponse.
  const errorPayloads = new WeakMap<FastifyRequest, unknown>();
  // Callback-style hooks: no promise per request on this path, which every API call takes.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && isApiRequest(request)) errorPayloads.set(request, payload);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (isApiRequest(request)) {
      try {
        buffer.push(buildEntry(request, reply, errorPayloads.get(request)));
      } catch (err) {
        // Logging must never fail a request (it has been answered already anyway).
        request.log.warn({ err }, 'api logs: could not record this request');
      }
    }
    done();
  });
  app.addHook('onClose', async () => {
    await buffer.close();
  });
}
