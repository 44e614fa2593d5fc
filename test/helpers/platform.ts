// Test harness: a fresh database cloned from the migrated template, and the real app on it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/kernel/config.ts';
import type { Config } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import type { Platform } from '../../src/main.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { TEST_SECRET, TEMPLATE_DB } from './constants.ts';

function adminUrl(): string {
  const url = process.env.ATRIUM_TEST_PG_URL;
  if (!url) throw new Error('ATRIUM_TEST_PG_URL is not set: run tests with `npm test` (scripts/test.ts)');
  return url;
}

/** Clone the template into a new database; returns its owner URL. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(`create database ${name} template ${TEMPLATE_DB}`);
  await client.end();
  const url = adminUrl().replace(/\/postgres$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ATRIUM_SECRET: TEST_SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/test-data', ...overrides }, { loadDotenv: false });
}

export type TestPlatform = Platform & { config: Config; ownerUrl: string; stop: () => Promise<void> };

/** The real platform on a fresh database. Call stop() in `after`. */
export async function startTestPlatform(overrides: Record<string, string> = {}): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url, ...overrides });
  const log = createLogger(config.logLevel);
  const db: Database = await connectDatabase(config, log, database.url);
  const platform = await buildPlatform(config, db, log, { serveConsole: false });
  return {
    ...platform,
    config,
    ownerUrl: database.url,
    async stop() {
      await platform.close();
      await db.close();
      await database.drop();
    },
  };
}
