// Bench database: the embedded PostgreSQL, a fresh `atrium_bench` database, migrated.
import pg from 'pg';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/kernel/db/embedded.ts';
import { migrate } from '../../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../../src/kernel/db/roles.ts';

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
