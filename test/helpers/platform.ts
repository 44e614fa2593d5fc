// Test harness: a fresh database cloned from the migrated template, and the real app on it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/kernel/config.ts';
import type { Config } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import type { Platform } from '../../src/main.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { TEST_METRICS_TOKEN, TEST_SECRET, TEMPLATE_DB } from './constants.ts';
import { freePort } from './ports.ts';

function adminUrl(): string {
  const url = process.env.ATRIUM_TEST_PG_URL;
  if (!url) throw new Error('ATRIUM_TEST_PG_URL is not set: run tests with `npm test` (scripts/test.ts)');
  return url;
}

export type TestDatabase = {
  /** The owner's URL the platform is given: through PgBouncer in the PgBouncer pass. */
  url: string;
  /** The owner's URL straight to PostgreSQL (assertions, pg_terminate_backend…). */
  directUrl: string;
  /** The configuration that goes with `url` (DATABASE_URL, and the pooler's settings in the PgBouncer pass). */
  env: Record<string, string>;
  drop: () => Promise<void>;
};

/** Clone the migrated template into a new database (or, `empty`, a database with no migration applied); returns its owner URLs. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(options.empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DB}`);
  await client.end();
  const directUrl = adminUrl().replace(/\/postgres$/, `/${name}`);
  const pooled = process.env.ATRIUM_TEST_PGBOUNCER_URL?.replace(/\/postgres$/, `/${name}`);
  const url = pooled ?? directUrl;
  return {
    url,
    directUrl,
    env: pooled ? { DATABASE_URL: pooled, DATABASE_DIRECT_URL: directUrl, ATRIUM_DATABASE_POOLER: 'transaction' } : { DATABASE_URL: directUrl },
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  // Suites send many requests per workspace within a minute: a high rate limit unless a test sets its own.
  return loadConfig({ ATRIUM_SECRET: TEST_SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/test-data', ATRIUM_RATE_LIMIT_DEFAULT: '1000000', ATRIUM_METRICS_TOKEN: TEST_METRICS_TOKEN, ...overrides }, { loadDotenv: false });
}

export type TestPlatform = Platform & {
  config: Config;
  /** The owner's URL straight to PostgreSQL. */
  ownerUrl: string;
  /** The database configuration the platform runs with (through PgBouncer in the PgBouncer pass): for processes a test starts. */
  databaseEnv: Record<string, string>;
  /** `http://127.0.0.1:<port>` when started with `listen: true`. */
  baseUrl: string | undefined;
  stop: () => Promise<void>;
};

export type TestPlatformOptions = {
  /** Serve the built console (console/dist) at `/`, as `atrium start` does. */
  serveConsole?: boolean;
  /**
   * Listen on a real port of 127.0.0.1 (browser tests). The port is chosen first so that
   * ATRIUM_PUBLIC_URL, and the links in mails, point at this server.
   */
  listen?: boolean;
  /** The database configuration from the test database (default: its `env`), e.g. through a PgBouncer of the test's own. */
  databaseEnv?: (database: TestDatabase) => Record<string, string>;
};

/** The real platform on a fresh database. Call stop() in `after`. */
export async function startTestPlatform(overrides: Record<string, string> = {}, options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const port = options.listen ? await freePort() : undefined;
  const baseUrl = port ? `http://127.0.0.1:${port}` : undefined;
  const databaseEnv = options.databaseEnv?.(database) ?? database.env;
  const config = testConfig({ ...databaseEnv, ...(baseUrl ? { ATRIUM_PUBLIC_URL: baseUrl } : {}), ...overrides });
  const log = createLogger(config.logLevel);
  const db: Database = await connectDatabase(config, log, config.databaseUrl!);
  const platform = await buildPlatform(config, db, log, { serveConsole: options.serveConsole ?? false });
  if (port) await platform.app.listen({ port, host: '127.0.0.1' });
  return {
    ...platform,
    config,
    ownerUrl: database.directUrl,
    databaseEnv,
    baseUrl,
    async stop() {
      await platform.close();
      await db.close();
      await database.drop();
    },
  };
}
