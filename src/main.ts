// Composition root: builds the platform from the kernel and the modules.
import { readFileSync } from 'node:fs';
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
import { createAccessModule } from './modules/access/index.ts';

export const VERSION: string = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')).version;

export type Platform = {
  app: Awaited<ReturnType<typeof createHttpApp>>['app'];
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
  const audit = createAuditModule(deps, options.audit);
  const mail = createMailModule(deps);
  const access = createAccessModule(deps, { audit });
  const identity = createIdentityModule(deps, { mail, audit, access });
  const tenancy = createTenancyModule(deps, { identity, audit });
  tenancy.registerSetting(audit.retentionSetting);
  const onboarding = createOnboardingModule(deps, { identity, mail, tenancy, audit });
  const admin = createAdminModule(deps, { identity, tenancy, mail, audit });
  const secrets = createSecretsModule(deps, { audit, tenancy });

  tenancy.registerSetting(RATE_LIMIT_SETTING);
  const rateLimiter = createRateLimiter({ db, limits: config.rateLimits, log });
  const { app, routeTable } = await createHttpApp({ log, db, authenticate: identity.authenticate, version: VERSION, serveConsole: options.serveConsole, trustProxy: config.trustProxy, rateLimiter });
  await app.register(
    async (api) => {
      await api.register(identity.routes);
      await api.register(tenancy.routes);
      await api.register(onboarding.routes);
      await api.register(mail.routes);
      await api.register(admin.routes);
      await api.register(audit.routes);
      await api.register(secrets.routes);
      await api.register(access.routes);
    },
    { prefix: '/api/v1' },
  );
  await app.ready();
  return {
    app,
    db,
    jobs,
    workers: [jobs, mail.worker, audit.worker],
    routeTable,
    identity,
    mail,
    admin,
    audit,
    secrets,
    access,
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

  const port = options.port ?? config.port;
  let url = config.publicUrl;
  if (options.role !== 'worker') {
    const address = await platform.app.listen({ port, host: config.host });
    url = options.port !== undefined || config.publicUrl === `http://localhost:${config.port}` ? `http://localhost:${new URL(address).port}` : config.publicUrl;
  }
  if (options.role !== 'api') for (const w of platform.workers) w.start();

  let isStopping = false;
  const stop = async () => {
    if (isStopping) return;
    isStopping = true;
    log.info('shutting down: no new requests, finishing in-flight work');
    await platform.app.close(); // stops accepting, waits for in-flight requests
    await Promise.allSettled(platform.workers.map((w) => w.stop()));
    await db.close();
    if (embedded) await embedded.stop();
    log.info('stopped');
  };
  return { stop, url };
}
