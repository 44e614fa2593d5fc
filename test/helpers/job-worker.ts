// A worker process for the kill -9 and restart tests: the real engine on the given database,
// running queue `kill.test`, whose handler records each run in kill_runs (job id, pid).
// argv: <ownerUrl> <leaseMs> [database configuration as JSON: the PgBouncer pass's]
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { connectDatabase } from '../../src/main.ts';
import { createJobEngine } from '../../src/kernel/jobs/index.ts';
import { TEST_SECRET } from './constants.ts';

const [ownerUrl, leaseMs, databaseEnv] = process.argv.slice(2);
const config = loadConfig({ DATABASE_URL: ownerUrl, ...(databaseEnv ? JSON.parse(databaseEnv) as Record<string, string> : {}), ATRIUM_SECRET: TEST_SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/test-data' }, { loadDotenv: false });
const log = createLogger('silent');
const db = await connectDatabase(config, log, config.databaseUrl!);
const engine = createJobEngine({ config, db, log }, { leaseMs: Number(leaseMs), pollMs: 200, sweepMs: 500 });
engine.define<{ n: number }>({
  name: 'kill.test', concurrency: 10,
  handler: async (job) => {
    await db.withPlatform((tx) => tx.query('insert into kill_runs (job_id, pid) values ($1, $2)', [job.id, process.pid]));
    await new Promise((r) => setTimeout(r, 3));
  },
});
engine.start();
process.send?.('ready');
process.on('SIGTERM', () => {
  void engine.stop().then(() => db.close()).then(() => process.exit(0));
});
