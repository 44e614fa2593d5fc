// Bench database: the embedded PostgreSQL, a fresh `atrium_bench` database, migrated.
import pg from 'pg';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/kernel/db/embedded.ts';
import { postmasterPid } from './cpu.ts';
import { migrate } from '../../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../../src/kernel/db/roles.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';

export const BENCH_SECRET = 'bench-secret-atrium-0123456789abcdef-0123456789';

const BENCH_DATA_DIR = path.join(path.resolve(import.meta.dirname, '../..'), '.atrium', 'bench');

/** The bench cluster's postmaster (for CPU accounting: bench/lib/cpu.ts). */
export const benchPostmasterPid = (): number => postmasterPid(path.join(BENCH_DATA_DIR, 'pg'));

export async function startBenchDatabase(): Promise<{ ownerUrl: string; stop: () => Promise<void> }> {
  // BENCH_PG_STATEMENTS=1: pg_stat_statements loaded (planning tracked), for printStatementStats().
  const settings = process.env.BENCH_PG_STATEMENTS === '1' ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on', 'pg_stat_statements.track': 'all' } : undefined;
  const embedded = await startEmbeddedPostgres({ dataDir: BENCH_DATA_DIR, port: Number(process.env.ATRIUM_BENCH_PG_PORT ?? 54350), settings });
  const adminUrl = embedded.url.replace(/\/atrium$/, '/postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists atrium_bench with (force)');
  await admin.query('create database atrium_bench');
  if (settings) {
    const bench = new pg.Client({ connectionString: adminUrl.replace(/\/postgres$/, '/atrium_bench') });
    await bench.connect();
    await bench.query('create extension if not exists pg_stat_statements');
    await bench.end();
  }
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

/**
 * With BENCH_PG_STATEMENTS=1: where PostgreSQL's time went since the last reset, by statement
 * (execution + planning), the `top` dearest. Call with `reset` before the measured phase.
 */
export async function statementStats(ownerUrl: string, options: { reset?: boolean; top?: number; per?: number } = {}): Promise<void> {
  if (process.env.BENCH_PG_STATEMENTS !== '1') return;
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    if (options.reset) {
      await client.query('select pg_stat_statements_reset()');
      return;
    }
    const { rows } = await client.query<{ calls: string; exec: number; plan: number; query: string }>(
      `select calls, total_exec_time as exec, total_plan_time as plan, regexp_replace(query, '\\s+', ' ', 'g') as query from pg_stat_statements
        order by total_exec_time + total_plan_time desc limit $1`, [options.top ?? 25]);
    const per = options.per ?? 1;
    console.log(`\nPostgreSQL time by statement (ms per ${per === 1 ? 'run' : `${per} requests`}: execution + planning; calls)`);
    for (const r of rows) console.log(`${((r.exec + r.plan) / per).toFixed(3).padStart(9)} = ${(r.exec / per).toFixed(3)} + ${(r.plan / per).toFixed(3)}  ×${(Number(r.calls) / per).toFixed(2)}  ${r.query.slice(0, 150)}`);
  } finally {
    await client.end();
  }
}
