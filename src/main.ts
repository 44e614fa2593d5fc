// Composition root, second half: the HTTP app and the workers over the modules (compose.ts).
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Config } from './kernel/config.ts';
import { createLogger } from './kernel/logging.ts';
import type { Logger } from './kernel/logging.ts';
import { createPool } from './kernel/db/pool.ts';
import { openDatabase } from './kernel/db/connect.ts';
import type { Database } from './kernel/db/database.ts';
import { migrate } from './kernel/db/migrate.ts';
import { deriveAppPassword } from './kernel/db/roles.ts';
import { startEmbeddedPostgres } from './kernel/db/embedded.ts';
import { createHttpApp } from './kernel/http/app.ts';
import type { RouteEntry } from './kernel/http/app.ts';
import { createRateLimiter } from './kernel/http/rate-limit.ts';
import type { Worker } from './kernel/module.ts';
import { composeModules } from './compose.ts';
import type { Modules } from './compose.ts';
import { authorizeRoute } from './modules/access/index.ts';
import type { AuditModuleOptions } from './modules/audit/index.ts';
import { registerCounters } from './kernel/counters.ts';
import { startTracing } from './kernel/tracing.ts';
import { registerBackupMetric } from './kernel/backup.ts';

export const VERSION: string = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')).version;

export type Platform = Modules & {
  app: Awaited<ReturnType<typeof createHttpApp>>['app'];
  /** Readiness false from now on (a graceful stop's first step). */
  drain: () => void;
  metrics: Awaited<ReturnType<typeof createHttpApp>>['metrics'];
  db: Database;
  workers: Worker[];
  routeTable: RouteEntry[];
  close(): Promise<void>;
};

/** Database pools for a config: the owner (migrations, platform path) and the request role. */
export async function connectDatabase(config: Config, log: Logger, ownerUrl: string): Promise<Database> {
  return openDatabase(config, ownerUrl, log, { app: config.dbPoolMax, owner: Math.max(2, Math.ceil(config.dbPoolMax / 4)) });
}

export async function runMigrations(config: Config, db: Database, log: Logger = createLogger('silent')): Promise<string[]> {
  const appPassword = config.appDatabaseUrl ? undefined : deriveAppPassword(config.secret);
  if (db.pooler === 'none') return (await migrate(db.owner, { appPassword })).applied;
  // Migrations hold a session advisory lock: on a connection of their own, past the pooler.
  const direct = createPool(db.directUrl, { max: 1, name: 'migrate', log });
  try {
    return (await migrate(direct, { appPassword })).applied;
  } finally {
    await direct.end();
  }
}

/** Build the HTTP app and the workers on an open, migrated database (the modules: compose.ts). */
export async function buildPlatform(config: Config, db: Database, log: Logger, options: { serveConsole?: boolean; audit?: AuditModuleOptions } = {}): Promise<Platform> {
  const modules = composeModules({ config, db, log }, { audit: options.audit, version: VERSION });
  const { jobs, audit, mail, identity, apiLogs } = modules;
  const rateLimiter = createRateLimiter({ db, limits: config.rateLimits, log });
  const { app, metrics, routeTable, drain } = await createHttpApp({
    log, db, authenticate: identity.authenticate, authorize: authorizeRoute, version: VERSION, serveConsole: options.serveConsole, trustProxy: config.trustProxy, rateLimiter,
    metricsToken: config.metricsToken, metricsTopWorkspaces: config.metricsTopWorkspaces, limits: config.limits,
  });
  jobs.registerMetrics(metrics.registry);
  registerCounters(metrics.registry);
  registerBackupMetric(metrics.registry, db);
  audit.registerMetrics(metrics.registry);
  apiLogs.registerMetrics(metrics.registry);
  modules.llm.registerMetrics(metrics.registry);
  modules.agents.registerMetrics(metrics.registry);
  apiLogs.registerCapture(app); // before the API routes: root hooks apply to plugins registered after them
  await app.register(
    async (api) => {
      for (const m of [
        modules.identity, modules.tenancy, modules.onboarding, modules.mail, modules.admin, modules.audit, modules.secrets, modules.jobsAdmin,
        modules.access, modules.webhooks, modules.workflows, modules.requests, modules.support, modules.apiLogs, modules.usage, modules.llm,
        modules.memory, modules.agents, modules.mcp, modules.data,
      ]) await api.register(m.routes);
    },
    { prefix: '/api/v1' },
  );
  // The vendor-compatible AI API at the root: OpenAI clients use baseURL <atrium>/v1, Anthropic's <atrium>.
  await app.register(modules.llm.gatewayRoutes);
  await app.ready();
  await modules.bus.start();
  return {
    ...modules,
    app,
    drain,
    metrics,
    db,
    workers: [jobs, audit.sealer],
    routeTable,
    async close() {
      await app.close();
      await modules.usage.drain();
      await jobs.stop();
      await modules.bus.stop();
      mail.close();
    },
  };
}

export type StartOptions = { role: 'all' | 'api' | 'worker'; port?: number };

/** `atrium start`: embedded PostgreSQL (unless DATABASE_URL), migrations, API, workers. */
export async function startPlatform(config: Config, options: StartOptions): Promise<{ stop: () => Promise<void>; url: string; platform: Platform }> {
  const log = createLogger(config.logLevel, { role: options.role });
  // Before the pools and the HTTP server exist: both are made traced when tracing is on.
  const stopTracing = config.tracing ? await startTracing(config.tracing, { log, version: VERSION, role: options.role }) : undefined;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let ownerUrl = config.databaseUrl;
  if (!ownerUrl) {
    log.info({ dataDir: config.dataDir }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: (line) => log.debug({ pg: line }) });
    ownerUrl = embedded.url;
  }
  const db = await connectDatabase(config, log, ownerUrl);
  const applied = await runMigrations(config, db, log);
  if (applied.length) log.info({ applied }, 'migrations applied');
  const platform = await buildPlatform(config, db, log);
  await platform.admin.ensureBootstrapAdmin();
  // Platform cron schedules (idempotent): audit and API log retention, health samples. A failure is
  // logged, not fatal: the API serves without them and the next start installs them.
  await db.withPlatform(async (tx) => {
    await platform.audit.installSchedules(tx);
    await platform.apiLogs.installSchedules(tx);
    await platform.admin.installSchedules(tx);
    await platform.webhooks.installSchedules(tx);
    await platform.mail.resumePending(tx);
    await platform.usage.installSchedules(tx);
    await platform.memory.installSchedules(tx);
    await platform.agents.installSchedules(tx);
    await platform.data.installSchedules(tx);
    await platform.workflows.installSchedules(tx);
  }).catch((err: unknown) => log.error({ err }, 'platform schedules could not be installed'));

  const port = options.port ?? config.port;
  let url = config.publicUrl;
  if (options.role !== 'worker') {
    const address = await platform.app.listen({ port, host: config.host });
    url = options.port !== undefined || config.publicUrl === `http://localhost:${config.port}` ? `http://localhost:${new URL(address).port}` : config.publicUrl;
  }
  if (options.role !== 'api') for (const w of platform.workers) w.start();
  // Metrics on their own address (loopback by default): a second process on the same host finds it taken, and says so.
  let metricsServer: Server | undefined;
  if (config.metricsAddress) {
    const where = `${config.metricsAddress.host}:${config.metricsAddress.port}`;
    metricsServer = await platform.metrics.listen(config.metricsAddress).then(
      (server) => { log.info({ address: where }, 'metrics served at /metrics'); return server; },
      (err: NodeJS.ErrnoException) => { log.warn({ address: where, code: err.code }, 'metrics address unavailable: /metrics is not served by this process (set ATRIUM_METRICS_ADDRESS)'); return undefined; },
    );
  }

  let isStopping = false;
  const stop = async () => {
    if (isStopping) return;
    isStopping = true;
    // Readiness false first; after ATRIUM_DRAIN_SECONDS (load balancers have noticed), stop accepting.
    platform.drain();
    if (options.role !== 'worker' && config.drainSeconds > 0) {
      log.info({ seconds: config.drainSeconds }, 'draining: /readyz answers 503, requests are still served');
      await new Promise((resolve) => setTimeout(resolve, config.drainSeconds * 1000));
    }
    log.info('shutting down: no new requests, finishing in-flight work');
    await platform.app.close(); // stops accepting, waits for in-flight requests
    await platform.usage.drain(); // usage events settled by the last calls
    if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
    await Promise.allSettled(platform.workers.map((w) => w.stop()));
    await platform.bus.stop();
    platform.mail.close();
    await db.close();
    if (embedded) await embedded.stop();
    if (stopTracing) await stopTracing();
    log.info('stopped');
  };
  return { stop, url, platform };
}
