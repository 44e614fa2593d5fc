// Maps every error to RFC 9457 problem+json with a stable code. 5xx bodies never leak internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { AppError, kernelErrors } from '../errors.ts';
import { currentTraceIds } from '../tracing.ts';

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId: string;
  traceId?: string;
  errors?: Array<{ path: string; message: string }>;
  [key: string]: unknown;
};

function problemType(code: string): string {
  return `https://atrium.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

function toProblem(err: AppError, request: FastifyRequest): Problem {
  return {
    // A catalogue's extra members come first: they can add to the problem, never replace its own (a `status` that is not the HTTP status).
    ...(err.extra ?? {}),
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    code: err.code,
    ...(err.detail !== undefined ? { detail: err.detail } : {}),
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...traceIdMember(),
  };
}

/** With tracing on, the trace this answer belongs to (the operator's way from a client's report to the spans). */
function traceIdMember(): { traceId?: string } {
  const ids = currentTraceIds();
  return ids ? { traceId: ids.traceId } : {};
}

/** A whole HTTP/1.1 response, for the rare answers written on the socket (Node's parser refused the request). */
export function rawProblemResponse(err: AppError): string {
  const body = JSON.stringify({ type: problemType(err.code), title: err.title, status: err.status, code: err.code, ...(err.detail !== undefined ? { detail: err.detail } : {}) });
  return `HTTP/1.1 ${err.status} ${err.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: AppError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  // Every 503 says when to come back (the service's trouble, passing): 5 s unless the cause said otherwise.
  if (err.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '5');
  return reply.code(err.status).type('application/problem+json').send(toProblem(err, request));
}

function fromFastifyError(err: FastifyError): AppError | null {
  if (err.validation) {
    const errors = err.validation.map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`.replace(/\//g, '.'),
      message: v.message ?? 'is invalid',
    }));
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return kernelErrors.create('VALIDATION_FAILED', detail, { extra: { errors } });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return kernelErrors.create('MALFORMED_JSON', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return kernelErrors.create('UNSUPPORTED_MEDIA_TYPE', err.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return kernelErrors.create('PAYLOAD_TOO_LARGE');
  }
  // Any other client error of the framework keeps a code of the catalogue (one code, one status).
  switch (err.statusCode) {
    case 404: return kernelErrors.create('ROUTE_NOT_FOUND', err.message);
    case 413: return kernelErrors.create('PAYLOAD_TOO_LARGE', err.message);
    case 415: return kernelErrors.create('UNSUPPORTED_MEDIA_TYPE', err.message);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return kernelErrors.create('BAD_REQUEST', err.message);
  return null;
}

/**
 * The database away or too slow is the service's trouble, not the client's: 503 with Retry-After
 * (a client backs off and retries) rather than a bare 500. A statement over the request role's
 * statement_timeout (57014), a connection lost or refused, the pool unable to hand one out, a
 * statement sent on a connection pg already knows is broken ("… is not queryable", no code).
 */
function fromDatabaseError(err: unknown): AppError | null {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const retry = { headers: { 'retry-after': '5' } };
  if (code === '57014') return kernelErrors.create('UNAVAILABLE', 'The database took too long to answer; try again', retry);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === '57P01' || code === '57P03' || code.startsWith('08')
    || /timeout exceeded when trying to connect|Connection terminated|is not queryable/.test(message)) {
    return kernelErrors.create('UNAVAILABLE', 'The database is unreachable; try again shortly', retry);
  }
  return null;
}

/**
 * `notFound: false` when the caller installs its own not-found handler (the console's SPA
 * fallback). Returns what tells a 405 from a 404, for that handler.
 */
export function registerErrorHandling(app: FastifyInstance, options: { notFound?: boolean } = {}): (request: FastifyRequest) => AppError | null {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let appError: AppError | null = error instanceof AppError ? error : fromFastifyError(error as FastifyError) ?? fromDatabaseError(error);
    if (!appError) {
      request.log.error({ err: error }, 'unhandled error');
      appError = kernelErrors.create('INTERNAL');
    } else if (appError.status >= 500) {
      request.log.error({ err: error }, appError.code);
    }
    return sendProblem(reply, request, appError);
  });
  const allowedMethods = registerMethodNotAllowed(app);
  if (options.notFound === false) return allowedMethods;
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, allowedMethods(request) ?? kernelErrors.create('ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} does not exist`)),
  );
  return allowedMethods;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * A second router holding every route's path, to tell "no such path" (404) from "not with this
 * method" (405 + Allow). Returns, for a request the app did not route, the 405 to send, if any.
 */
function registerMethodNotAllowed(app: FastifyInstance): (request: FastifyRequest) => AppError | null {
  const paths = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 100 });
  const handler = () => undefined;
  const seen = new Set<string>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const key = `${method} ${route.url}`;
      if (seen.has(key) || !(METHODS as readonly string[]).includes(method)) continue;
      seen.add(key);
      paths.on(method as (typeof METHODS)[number], route.url, handler);
    }
  });
  return (request) => {
    const path = request.url.split('?')[0];
    let allowed: string[];
    try {
      allowed = METHODS.filter((m) => m !== request.method && paths.find(m, path) !== null);
    } catch {
      return null;
    }
    if (allowed.length === 0) return null;
    return kernelErrors.create('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`, { headers: { allow: allowed.join(', ') } });
  };
}
