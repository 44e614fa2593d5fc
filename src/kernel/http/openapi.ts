// The OpenAPI document tells the truth about every operation, without each route repeating it:
// the error answers a route can give follow from what it declares (its access, its parameters,
// its body), and a query parameter that has a default is not required. A route documents any
// further error status (409, 410, 422…) in its own `response`, with ProblemSchema.
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';

export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'A URI naming the problem type' }),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  code: Type.String({ description: 'Stable machine-readable code, e.g. VALIDATION_FAILED' }),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
  traceId: Type.Optional(Type.String({ description: 'The OpenTelemetry trace of this request, when the server exports traces' })),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), { description: 'Each invalid field (VALIDATION_FAILED, INVALID_TEXT)' })),
}, { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' });

const WHY: Record<number, string> = {
  400: 'Invalid input: VALIDATION_FAILED (names each field), INVALID_TEXT (NUL, lone surrogate, invalid UTF-8), MALFORMED_JSON, JSON_TOO_DEEP',
  401: 'No valid credentials: UNAUTHENTICATED, TOKEN_INVALID (public routes: the password, token or signature they take)',
  403: 'Not allowed: FORBIDDEN (a missing permission), WORKSPACE_SUSPENDED, IMPERSONATION_FORBIDDEN',
  404: 'Not found, or not in the caller\'s workspace (existence is not revealed)',
  409: 'Conflicts with the current state of the resource',
  414: 'A path segment is over 100 characters (URI_TOO_LONG)',
  413: 'The body is over the size limit (PAYLOAD_TOO_LARGE)',
  415: 'The body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Idempotency-Key reused with another body (IDEMPOTENCY_KEY_REUSED)',
  429: 'Over the rate limit (RATE_LIMITED): see Retry-After',
};

type RouteSchema = { response?: Record<string | number, unknown>; body?: unknown; params?: unknown; querystring?: unknown; hide?: boolean; security?: unknown[] };
type QuerySchema = { type?: string; properties?: Record<string, { default?: unknown }>; required?: string[] };

function namesAnId(schema: unknown): boolean {
  const stack = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if ((node as { format?: unknown }).format === 'uuid') return true;
    stack.push(...Object.values(node));
  }
  return false;
}

/** The error statuses a route can answer with, from what it declares. */
export function errorStatusesOf(route: Pick<RouteOptions, 'method' | 'url' | 'config'> & { schema?: RouteSchema }): number[] {
  const config = (route.config ?? {}) as { auth?: string; permission?: string; isSensitive?: boolean };
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const auth = config.auth ?? (config.permission ? 'authenticated' : undefined);
  // 401 on public routes too: they check a credential of their own (a password, a token, a signature).
  const statuses = new Set<number>([400, 401]);
  if (auth !== 'public') {
    statuses.add(403);
    if (auth !== 'platform-admin') statuses.add(429);
  }
  if (route.url.includes(':')) {
    statuses.add(404);
    statuses.add(414); // a path segment over 100 characters
  }
  // A body or query naming something by id may name nothing (or another workspace's: the same 404).
  if (namesAnId(route.schema?.body) || namesAnId(route.schema?.querystring)) statuses.add(404);
  const isWrite = methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE');
  if (isWrite) {
    statuses.add(409);
    statuses.add(413);
    statuses.add(415);
  }
  return [...statuses].sort();
}

/** Installs the hook on `app`: call before the routes are registered. */
export function registerOpenApiTruth(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as RouteSchema | undefined;
    if (!schema || schema.hide) return;
    const response = { ...(schema.response ?? {}) };
    for (const status of errorStatusesOf({ ...route, schema })) {
      if (response[status] === undefined) response[status] = { ...ProblemSchema, description: WHY[status] };
    }
    schema.response = response;
    // One unknown-query-parameter policy (validation.ts): a route without query parameters takes none.
    if (schema.querystring === undefined) schema.querystring = { type: 'object', properties: {}, additionalProperties: false };
    // A public route needs no credentials: say so, instead of inheriting the document's bearer.
    if ((route.config as { auth?: string } | undefined)?.auth === 'public' && schema.security === undefined) schema.security = [];
    const query = schema.querystring as QuerySchema | undefined;
    if (query?.type === 'object' && query.required && query.properties) {
      // A parameter with a default may be left out: the default applies (validation fills it in).
      const properties = query.properties;
      const required = query.required.filter((name) => properties[name]?.default === undefined);
      const { required: _all, ...rest } = query;
      schema.querystring = required.length > 0 ? { ...rest, required } : rest;
    }
  });
}
