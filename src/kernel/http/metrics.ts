// Prometheus metrics. Labels are bounded: the route pattern (never the raw URL), method, status,
// and a workspace id only for the busiest N workspaces ("other" for the rest).
// Not public: served on their own address (ATRIUM_METRICS_ADDRESS, loopback by default), and on
// the API's port only to a bearer of ATRIUM_METRICS_TOKEN.
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import client from 'prom-client';
import { kernelErrors } from '../errors.ts';
import { sendProblem } from './errors.ts';
import type { FastifyInstance } from 'fastify';
import type { Pool } from '../db/pool.ts';
import { createTopWorkspaces } from './top-workspaces.ts';

export type Metrics = {
  registry: client.Registry;
  /** Serves /metrics alone on its own address (the operator's network, not the API's); resolves once listening. */
  listen(address: { host: string; port: number }): Promise<Server>;
};

export type MetricsOptions = {
  /** With a token, /metrics is also served on the API's port to `Authorization: Bearer <token>`; without, it is not served there. */
  token?: string;
  /** How many workspaces get a `workspace` label of their own (the busiest; the rest are "other"): ATRIUM_METRICS_TOP_WORKSPACES, default 20. */
  topWorkspaces?: number;
};

function isTokenValid(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function registerMetrics(app: FastifyInstance, pools: Record<string, Pool>, options: MetricsOptions = {}): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'atrium_' });
  const duration = new client.Histogram({
    name: 'atrium_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'atrium_db_pool_connections',
    help: 'Database pool connections by pool and state',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
  // Per workspace, bounded: the top N by requests get their id as the label, the rest "other" (top-workspaces.ts).
  const top = createTopWorkspaces({ n: options.topWorkspaces ?? 20 });
  const byWorkspace = new client.Counter({
    name: 'atrium_workspace_http_requests_total',
    help: 'Authenticated requests by workspace (the busiest N by id, the rest "other") and status class',
    labelNames: ['workspace', 'status_class'] as const,
    registers: [registry],
  });
  const durationByWorkspace = new client.Histogram({
    name: 'atrium_workspace_http_request_duration_seconds',
    help: 'Authenticated request duration by workspace (the busiest N by id, the rest "other")',
    labelNames: ['workspace'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const workspaceId = (request as { principal?: { workspaceId?: string } | null }).principal?.workspaceId;
    if (workspaceId) {
      const workspace = top.label(workspaceId);
      byWorkspace.inc({ workspace, status_class: `${Math.floor(reply.statusCode / 100)}xx` });
      durationByWorkspace.observe({ workspace }, reply.elapsedTime / 1000);
    }
  });
  // Metrics name queues, routes and volumes: not public. On the API's port only with the token.
  app.get('/metrics', { schema: { hide: true }, config: { auth: 'public' } }, async (request, reply) => {
    if (!options.token) {
      return sendProblem(reply, request, kernelErrors.create('ROUTE_NOT_FOUND', 'Metrics are not served on this port: scrape ATRIUM_METRICS_ADDRESS, or set ATRIUM_METRICS_TOKEN'));
    }
    if (!isTokenValid(request.headers.authorization, options.token)) {
      return sendProblem(reply, request, kernelErrors.create('UNAUTHENTICATED', 'GET /metrics takes Authorization: Bearer <ATRIUM_METRICS_TOKEN>'));
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return {
    registry,
    listen(address) {
      const server = createServer((req, res) => {
        if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here\n');
          return;
        }
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          () => res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
        );
      });
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, address.host, () => {
          server.off('error', reject);
          resolve(server);
        });
      });
    },
  };
}
