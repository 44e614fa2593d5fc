// Builds the Fastify app: schemas (TypeBox) → validation, types and OpenAPI 3.1; problem+json
// errors; request ids; JSON logs; health, readiness and metrics; the console's static files.
import { existsSync } from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { deferredChild } from '../logging.ts';
import type { Logger } from '../logging.ts';
import { currentTraceIds, isTracing, noteRequestRoute, traceRequests } from '../tracing.ts';
import type { Database } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { kernelErrors } from '../errors.ts';
import { rawProblemResponse, registerErrorHandling, sendProblem } from './errors.ts';
import { parseQuerystring, registerInputChecks } from './input.ts';
import { registerOpenApiTruth } from './openapi.ts';
import { registerIdempotency } from './idempotency.ts';
import { schemaController, UNKNOWN_QUERY_POLICY } from './validation.ts';
import { registerMetrics } from './metrics.ts';
import type { Authorizer, Principal, RouteAuth } from './principal.ts';
import { enforceRateLimit } from './rate-limit.ts';
import type { RateLimiter } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** Refused (403 IMPERSONATION_FORBIDDEN) while the caller is impersonating someone. */
    isSensitive?: boolean;
    /** The body carries secret material (a vault value): API logs never keep it, even redacted. */
    hasSecretBody?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type App = FastifyInstance;
export type RouteEntry = { method: string; url: string; auth: RouteAuth | undefined; permission: string | undefined };
export type Authenticator = (request: FastifyRequest) => Promise<Principal | null>;

export const CONSOLE_DIST = path.resolve(import.meta.dirname, '../../../console/dist');
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export type HttpOptions = {
  log: Logger;
  db: Database;
  authenticate: Authenticator;
  /** Decides a route's `config.permission` (filled in by the access module at the root). */
  authorize: Authorizer;
  version: string;
  serveConsole?: boolean;
  trustProxy?: boolean | number | string[];
  /** Counts authenticated requests per workspace / API key (docs/adr/0008); none when absent. */
  rateLimiter?: RateLimiter;
  /** Serve /metrics on the API's port to this bearer token (otherwise only on the metrics address). */
  metricsToken?: string;
  /** Workspaces labelled by id in the per-workspace metrics (the busiest; the rest "other"). */
  metricsTopWorkspaces?: number;
  /** Largest request body (bytes) and deepest JSON nesting; defaults 1 MiB and 64. */
  limits?: { bodyLimit: number; maxJsonDepth: number };
};

/** Trust the nearest `hops` proxies (as Express's numeric trust proxy). */
function hopCount(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

export async function createHttpApp(options: HttpOptions) {
  const limits = options.limits ?? { bodyLimit: 1024 * 1024, maxJsonDepth: 64 };
  const app = Fastify({
    // Traced: each request handled inside its span (kernel/tracing.ts), on the server Fastify would make.
    ...(isTracing() ? {
      serverFactory: (handler: http.RequestListener, o: { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number; maxRequestsPerSocket?: number }) => {
        const server = http.createServer(traceRequests(handler));
        if (o.keepAliveTimeout) server.keepAliveTimeout = o.keepAliveTimeout;
        if (o.requestTimeout !== undefined) server.requestTimeout = o.requestTimeout;
        server.setTimeout(o.connectionTimeout ?? 0);
        if (o.maxRequestsPerSocket) server.maxRequestsPerSocket = o.maxRequestsPerSocket;
        return server;
      },
    } : {}),
    loggerInstance: options.log as FastifyBaseLogger,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Each request's logger is made at its first written line (kernel/logging.ts).
    childLoggerFactory: (logger, bindings, options) => deferredChild(logger as Logger, bindings, options) as FastifyBaseLogger,
    trustProxy: typeof options.trustProxy === 'number' ? hopCount(options.trustProxy) : (options.trustProxy ?? false),
    bodyLimit: limits.bodyLimit,
    // Coercion per part of the request, the date-time parser, unknown query parameters: validation.ts.
    schemaController,
    ajv: { customOptions: { removeAdditional: false, useDefaults: true, allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true, querystringParser: parseQuerystring },
    // What the router and Node's HTTP parser refuse answers as a problem too, never Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      const problem = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? kernelErrors.create('URI_TOO_LONG', 'A path segment is longer than 100 characters')
        : kernelErrors.create('INVALID_TEXT', 'The path is not valid percent-encoded UTF-8', { extra: { errors: [{ path: 'path', message: 'is not valid percent-encoded UTF-8' }] } });
      return sendProblem(reply, request, problem);
    },
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const problem = error.code === 'HPE_HEADER_OVERFLOW' ? kernelErrors.create('HEADERS_TOO_LARGE')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? kernelErrors.create('REQUEST_TIMEOUT')
        : kernelErrors.create('BAD_REQUEST', 'The HTTP request could not be parsed');
      if (socket.writable) socket.write(rawProblemResponse(problem));
      socket.destroy(error);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerInputChecks(app, limits);
  registerOpenApiTruth(app);
  registerIdempotency(app, options.db);

  app.decorateRequest('principal', null);
  // Every route with its declared access, for the tenant-guard suite and the permission snapshot.
  const routeTable: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routeTable.push({ method, url: route.url, auth: route.config?.auth, permission: (route.config as { permission?: string } | undefined)?.permission });
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Fastify allows one not-found handler per prefix: with the console, its SPA fallback is it.
  const hasConsole = options.serveConsole !== false && existsSync(path.join(CONSOLE_DIST, 'index.html'));
  const allowedMethods = registerErrorHandling(app, { notFound: !hasConsole });
  const metrics = registerMetrics(app, { app: options.db.app, owner: options.db.owner }, { token: options.metricsToken, topWorkspaces: options.metricsTopWorkspaces });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Atrium API', version: options.version, description: `Multi-tenant platform for agencies. Errors are RFC 9457 problem+json with a stable \`code\`. ${UNKNOWN_QUERY_POLICY} Text (bodies, query and path values, headers) must be Unicode without NUL characters (400 INVALID_TEXT); JSON bodies nest at most ${limits.maxJsonDepth} levels (400 JSON_TOO_DEEP) and weigh at most ${limits.bodyLimit} bytes (413). Any path answers 404 ROUTE_NOT_FOUND when no route has it, 405 METHOD_NOT_ALLOWED (with Allow) for another method, 431 HEADERS_TOO_LARGE past 16 KiB of headers.` },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An access token (JWT) from /auth/login, or an API key (atr_…)' },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());

  // Authentication and authorization, from the route's declared config. Every route must say
  // what it needs; an undeclared route is refused (fail closed).
  if (isTracing()) {
    app.addHook('onRequest', async (request, reply) => {
      noteRequestRoute(request.raw, request.routeOptions.url);
      // The trace id beside the request id: a client quoting it finds the trace.
      const ids = currentTraceIds();
      if (ids) reply.header('x-trace-id', ids.traceId);
    });
  }
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    // A module names the permission (access augments the config type); the kernel only passes it on.
    const permission = (config as { permission?: string }).permission;
    const auth: RouteAuth | undefined = config.auth ?? (permission ? 'authenticated' : undefined);
    if (request.routeOptions.url === undefined) return; // not-found handler answers
    if (auth === 'public') return;
    if (auth === undefined) {
      // Static console files and /docs are public; every /api route must declare its access.
      if (!request.routeOptions.url.startsWith('/api/')) return;
      request.log.error({ route: request.routeOptions.url }, 'route declares neither auth nor permission');
      return sendProblem(reply, request, kernelErrors.create('FORBIDDEN'));
    }
    const principal = await options.authenticate(request);
    if (!principal) return sendProblem(reply, request, kernelErrors.create('UNAUTHENTICATED'));
    request.principal = principal;
    // request.log is already this request's own child logger: add the principal to its bindings.
    (request.log as Logger).setBindings({ workspaceId: principal.workspaceId, userId: principal.userId ?? undefined, apiKeyId: principal.apiKeyId ?? undefined });
    // Rate limit right after authentication, before access checks and validation (so refused
    // requests count too). Platform-admin routes are the operator's and are not counted.
    if (options.rateLimiter && auth !== 'platform-admin') {
      const limited = await enforceRateLimit(options.rateLimiter, principal, reply);
      if (limited) return sendProblem(reply, request, limited);
    }
    if (auth === 'session' && principal.kind !== 'user') {
      return sendProblem(reply, request, kernelErrors.create('FORBIDDEN', 'This route needs a user session, not an API key'));
    }
    if (auth === 'platform-admin' && !(principal.kind === 'user' && principal.isPlatformAdmin)) {
      return sendProblem(reply, request, kernelErrors.create('FORBIDDEN', 'This route is for platform admins'));
    }
    // The union of the principal's roles (built-in base role + custom roles), resolved at
    // authentication; a conditional grant passes here and is checked on the resource by the use-case.
    if (permission && !options.authorize(principal, permission)) {
      return sendProblem(reply, request, kernelErrors.create('FORBIDDEN', `Missing permission ${permission}`));
    }
    if (config.isSensitive && principal.impersonatorId) return sendProblem(reply, request, kernelErrors.create('IMPERSONATION_FORBIDDEN', 'This action is refused while impersonating; stop the impersonation first'));
  });

  // Every request to a platform-admin route (the cross-workspace path) is one structured log
  // line, reads and refusals included: who, which route, which answer. Changes are also audit
  // events in the touched workspace's chain (the modules' use-cases).
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.config?.auth !== 'platform-admin') return;
    request.log.info({
      audit: true, action: 'admin.request', via: 'api', actorUserId: request.principal?.userId ?? null,
      method: request.method, route: request.routeOptions.url, status: reply.statusCode,
    }, 'platform admin: admin.request');
  });

  app.get('/healthz', { schema: { hide: true }, config: { auth: 'public' } }, async () => ({ status: 'ok' }));
  // Set by a graceful stop (SIGTERM): readiness goes false first, so load balancers and Kubernetes
  // stop sending new requests while the ones in flight finish.
  let isDraining = false;
  app.get('/readyz', { schema: { hide: true }, config: { auth: 'public' } }, async (request, reply) => {
    if (isDraining) return sendProblem(reply, request, kernelErrors.create('UNAVAILABLE', 'Shutting down: finishing the requests in flight', { headers: { 'retry-after': '1' } }));
    try {
      const pending = await pendingMigrations(options.db.app);
      if (pending.length > 0) {
        return sendProblem(reply, request, kernelErrors.create('UNAVAILABLE', `Pending migrations: ${pending.join(', ')}`));
      }
      return { status: 'ready', database: 'ok', migrations: 'current' };
    } catch {
      return sendProblem(reply, request, kernelErrors.create('UNAVAILABLE', 'Database unreachable'));
    }
  });

  if (hasConsole) {
    await app.register(fastifyStatic, { root: CONSOLE_DIST, prefix: '/', wildcard: false, index: ['index.html'] });
    // Client-side routes of the console fall back to index.html; API paths keep JSON 404s.
    app.setNotFoundHandler((request, reply) => {
      const allowed = allowedMethods(request);
      if (allowed) return sendProblem(reply, request, allowed);
      const isApi = request.url.startsWith('/api/') || request.url.startsWith('/docs');
      if (request.method === 'GET' && !isApi && (request.headers.accept ?? '').includes('text/html')) {
        return reply.sendFile('index.html');
      }
      return sendProblem(reply, request, kernelErrors.create('ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} does not exist`));
    });
  }
  return { app, metrics, routeTable, drain: () => { isDraining = true; } };
}
