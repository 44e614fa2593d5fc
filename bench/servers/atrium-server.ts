// Atrium as it runs in production (role api; with `jobs` as the third argument, the job engine
// too, as `atrium start` runs it), on the bench database. argv: port ownerUrl [jobs|-] [directUrl]
// With a direct URL, ownerUrl is a transaction-pooling PgBouncer (ATRIUM_DATABASE_POOLER=transaction).
// Rate limiting is on (every request is counted, ADR 0008) with a limit no run reaches.
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import { BENCH_SECRET } from '../lib/database.ts';

const [port, ownerUrl, withJobs, directUrl] = process.argv.slice(2);
const config = loadConfig({ DATABASE_URL: ownerUrl, ...(directUrl ? { DATABASE_DIRECT_URL: directUrl, ATRIUM_DATABASE_POOLER: 'transaction' } : {}), ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: '.atrium/bench-data', ATRIUM_DB_POOL_MAX: '10', ATRIUM_RATE_LIMIT_DEFAULT: '1000000000' }, { loadDotenv: false });
const log = createLogger(config.logLevel);
const db = await connectDatabase(config, log, ownerUrl);
const platform = await buildPlatform(config, db, log, { serveConsole: false });
await platform.app.listen({ port: Number(port), host: '127.0.0.1' });
if (withJobs === 'jobs') platform.jobs.start();
process.send?.('ready');
process.on('SIGTERM', async () => {
  await platform.close();
  await db.close();
  process.exit(0);
});
