// Bench database: the embedded PostgreSQL, a fresh `atrium_bench` database, migrated.
import pg from 'pg';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/kernel/db/embedded.ts';
import { migrate } from '../../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../../src/kernel/db/roles.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';

export const BENCH_SECRET = 'bench-secret-atrium-0123456789abcdef-0123456789';

export async function startBenchDatabase(): Promise<{ ownerUrl: string; stop: () => Promise<void> }> {
  const root = path.resolve(import.meta.dirname, '../..');
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.atrium', 'bench'), port: Number(process.env.ATRIUM_BENCH_PG_PORT ?? 54350) });
  const adminUrl = embedded.url.replace(/\/atrium$/, '/postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists atrium_bench with (force)');
  await admin.query('create database atrium_bench');
  await admin.end();
  const ownerUrl = adminUrl.replace(/\/postgres$/, '/atrium_bench');
  const pool = new pg.Pool({ connectionString: ownerUrl });
  pool.on('error', () => {});
  await migrate(pool, { appPassword: deriveAppPassword(BENCH_SECRET) });
  await pool.end();
  return { ownerUrl, stop: embedded.stop };
}

/**
 * The bench database with a platform to seed it (the benches' first lines): config as the
 * contenders run it (rate limits out of the way), a connected database, a platform without the console.
 */
export async function startSeedPlatform() {
  const database = await startBenchDatabase();
  const config = loadConfig({ DATABASE_URL: database.ownerUrl, ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: '.atrium/bench-data', ATRIUM_DB_POOL_MAX: '10', ATRIUM_RATE_LIMIT_DEFAULT: '1000000000' }, { loadDotenv: false });
  const log = createLogger('warn');
  const db = await connectDatabase(config, log, database.ownerUrl);
  const seedPlatform = await buildPlatform(config, db, log, { serveConsole: false });
  return { database, config, log, db, seedPlatform };
}

/** An empty database `name` (dropped first if it exists) on the server of `adminUrl` (its `postgres` database); its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
