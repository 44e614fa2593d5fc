// Composition root: builds the platform from the kernel and the modules.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Config } from './kernel/config.ts';
import { createLogger } from './kernel/logging.ts';
import type { Logger } from './kernel/logging.ts';
import { createPool, deriveAppUrl } from './kernel/db/pool.ts';
import { createDatabase } from './kernel/db/database.ts';
import type { Database } from './kernel/db/database.ts';
import { migrate } from './kernel/db/migrate.ts';
import { deriveAppPassword } from './kernel/db/roles.ts';
import { startEmbeddedPostgres } from './kernel/db/embedded.ts';
import { createHttpApp } from './kernel/http/app.ts';
import type { RouteEntry } from './kernel/http/app.ts';
import { createRateLimiter, RATE_LIMIT_SETTING } from './kernel/http/rate-limit.ts';
import type { Worker } from './kernel/module.ts';
import { createJobEngine } from './kernel/jobs/index.ts';
import type { JobEngine } from './kernel/jobs/index.ts';
import { createMailModule } from './modules/mail/index.ts';
import { createIdentityModule } from './modules/identity/index.ts';
import { createTenancyModule } from './modules/tenancy/index.ts';
import { createOnboardingModule } from './modules/onboarding/index.ts';
import { createAdminModule } from './modules/admin/index.ts';
import { createAuditModule } from './modules/audit/index.ts';
import type { AuditModuleOptions } from './modules/audit/index.ts';
import { createSecretsModule } from './modules/secrets/index.ts';
import { createJobsModule } from './modules/jobs/index.ts';
import { authorizeRoute, createAccessModule } from './modules/access/index.ts';
import { createWebhooksModule } from './modules/webhooks/index.ts';
import { createWorkflowsModule } from './modules/workflows/index.ts';
import { PRIVATE_NETWORK_SETTING } from './kernel/net/public-address.ts';
import { createRequestsModule } from './modules/requests/index.ts';
import { createSupportModule } from './modules/support/index.ts';
import { createApiLogsModule } from './modules/apilogs/index.ts';

export const VERSION: string = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')).version;

export type Platform = {
  app: Awaited<ReturnType<typeof createHttpApp>>['app'];
  metrics: Awaited<ReturnType<typeof createHttpApp>>['metrics'];
  db: Database;
  /** The job engine: modules define queues and enqueue; `start()` runs the worker loop. */
  jobs: JobEngine;
  workers: Worker[];
  routeTable: RouteEntry[];
  identity: ReturnType<typeof createIdentityModule>;
  mail: ReturnType<typeof createMailModule>;
  admin: ReturnType<typeof createAdminModule>;
  audit: ReturnType<typeof createAuditModule>;
  secrets: ReturnType<typeof createSecretsModule>;
  access: ReturnType<typeof createAccessModule>;
  webhooks: ReturnType<typeof createWebhooksModule>;
  workflows: ReturnType<typeof createWorkflowsModule>;
  requests: ReturnType<typeof createRequestsModule>;
  support: ReturnType<typeof createSupportModule>;
  apiLogs: ReturnType<typeof createApiLogsModule>;
  tenancy: ReturnType<typeof createTenancyModule>;
  onboarding: ReturnType<typeof createOnboardingModule>;
  close(): Promise<void>;
};

/** Database pools for a config: the owner (migrations, platform path) and the request role. */
export async function connectDatabase(config: Config, log: Logger, ownerUrl: string): Promise<Database> {
  const owner = createPool(ownerUrl, { max: Math.max(2, Math.ceil(config.dbPoolMax / 4)), name: 'owner', log });
  const appUrl = config.appDatabaseUrl ?? deriveAppUrl(ownerUrl, deriveAppPassword(config.secret));
  const app = createPool(appUrl, { max: config.dbPoolMax, name: 'app', log });
  return createDatabase(app, owner);
}

export async function runMigrations(config: Config, db: Database): Promise<string[]> {
  const result = await migrate(db.owner, { appPassword: config.appDatabaseUrl ? undefined : deriveAppPassword(config.secret) });
  return result.applied;
}

/** Build the HTTP app and the workers on an open, migrated database. */
export async function buildPlatform(config: Config, db: Database, log: Logger, options: { serveConsole?: boolean; audit?: AuditModuleOptions } = {}): Promise<Platform> {
  const deps = { config, db, log };
  const jobs = createJobEngine(deps);
  const audit = createAuditModule(deps, { ...options.audit, jobs });
  const mail = createMailModule(deps);
  const access = createAccessModule(deps, { audit });
  const identity = createIdentityModule(deps, { mail, audit, access, jobs });
  const tenancy = createTenancyModule(deps, { identity, audit });
  tenancy.registerSetting(audit.retentionSetting);
  const onboarding = createOnboardingModule(deps, { identity, mail, tenancy, audit });
  const admin = createAdminModule(deps, { identity, tenancy, mail, audit, jobs });
  const apiLogs = createApiLogsModule(deps, { jobs });
  const secrets = createSecretsModule(deps, { audit, tenancy });
  const jobsAdmin = createJobsModule({ db, jobs, audit });
  const requests = createRequestsModule(deps, { audit });
  const support = createSupportModule(deps, { audit });

  tenancy.registerSetting(RATE_LIMIT_SETTING);
  tenancy.registerSetting(PRIVATE_NETWORK_SETTING);
  const webhooks = createWebhooksModule(deps, { jobs, audit, mail, identity, tenancy });
  tenancy.registerSetting(webhooks.retentionSetting);
  const workflows = createWorkflowsModule(deps, { jobs, audit, secrets, tenancy });
  // Inbound webhooks start executions in the delivery's transaction (the key makes a replay a
  // new execution, a re-run of the same replay not); finished executions emit outbound events.
  webhooks.setInboundHandler(async (tx, t) => {
    const started = await workflows.startExecution({
      workspaceId: t.workspaceId, workflowId: t.workflowId, input: t.payload, trigger: 'webhook', actor: { type: 'system', id: null }, orderingKey: t.orderingKey,
      idempotencyKey: t.replayId ? `webhook:${t.deliveryId}:replay:${t.replayId}` : `webhook:${t.deliveryId}`,
    }, tx);
    return { executionId: started.executionId };
  });
  workflows.onExecutionFinished(async (tx, e) => {
    await webhooks.emit(tx, e.workspaceId, e.type, {
      executionId: e.executionId, workflowId: e.workflowId, status: e.status, output: e.output ?? null, error: e.error ?? null, finishedAt: e.finishedAt,
    });
  });
  const rateLimiter = createRateLimiter({ db, limits: config.rateLimits, log });
  const { app, metrics, routeTable } = await createHttpApp({
    log, db, authenticate: identity.authenticate, authorize: authorizeRoute, version: VERSION, serveConsole: options.serveConsole, trustProxy: config.trustProxy, rateLimiter,
    metricsToken: config.metricsToken, limits: config.limits,
  });
  jobs.registerMetrics(metrics.registry);
  audit.registerMetrics(metrics.registry);
  apiLogs.registerMetrics(metrics.registry);
  apiLogs.registerCapture(app); // before the API routes: root hooks apply to plugins registered after them
  await app.register(
    async (api) => {
      await api.register(identity.routes);
      await api.register(tenancy.routes);
      await api.register(onboarding.routes);
      await api.register(mail.routes);
      await api.register(admin.routes);
      await api.register(audit.routes);
      await api.register(secrets.routes);
      await api.register(jobsAdmin.routes);
      await api.register(access.routes);
      await api.register(webhooks.routes);
      await api.register(workflows.routes);
      await api.register(requests.routes);
      await api.register(support.routes);
      await api.register(apiLogs.routes);
    },
    { prefix: '/api/v1' },
  );
  await app.ready();
  return {
    app,
    metrics,
    db,
    jobs,
    workers: [jobs, mail.worker, audit.sealer],
    routeTable,
    identity,
    mail,
    admin,
    audit,
    secrets,
    access,
    webhooks,
    workflows,
    requests,
    support,
    apiLogs,
    tenancy,
    onboarding,
    async close() {
      await app.close();
      await jobs.stop();
    },
  };
}

export type StartOptions = { role: 'all' | 'api' | 'worker'; port?: number };

/** `atrium start`: embedded PostgreSQL (unless DATABASE_URL), migrations, API, workers. */
export async function startPlatform(config: Config, options: StartOptions): Promise<{ stop: () => Promise<void>; url: string }> {
  const log = createLogger(config.logLevel, { role: options.role });
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let ownerUrl = config.databaseUrl;
  if (!ownerUrl) {
    log.info({ dataDir: config.dataDir }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: (line) => log.debug({ pg: line }) });
    ownerUrl = embedded.url;
  }
  const db = await connectDatabase(config, log, ownerUrl);
  const applied = await runMigrations(config, db);
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
    log.info('shutting down: no new requests, finishing in-flight work');
    await platform.app.close(); // stops accepting, waits for in-flight requests
    if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
    await Promise.allSettled(platform.workers.map((w) => w.stop()));
    await db.close();
    if (embedded) await embedded.stop();
    log.info('stopped');
  };
  return { stop, url };
}
