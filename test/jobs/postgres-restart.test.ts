// PostgreSQL restarted in the middle of a run: the engine rides it out (claims, completions and
// notifications reconnect), nothing is lost, and a job leaves the queue once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/kernel/db/embedded.ts';
import type { EmbeddedDatabase } from '../../src/kernel/db/embedded.ts';
import { migrate } from '../../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../../src/kernel/db/roles.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { connectDatabase } from '../../src/main.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { createJobEngine } from '../../src/kernel/jobs/index.ts';
import { freePort } from '../helpers/ports.ts';
import { TEST_SECRET } from '../helpers/constants.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-jobs-restart-'));
chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when the tests run as root
const port = await freePort(); // kept across the restart
let embedded: EmbeddedDatabase;
let db: Database;

before(async () => {
  embedded = await startEmbeddedPostgres({ dataDir, port });
  const owner = new pg.Pool({ connectionString: embedded.url });
  owner.on('error', () => {});
  await migrate(owner, { appPassword: deriveAppPassword(TEST_SECRET) });
  await owner.query('create table restart_runs (job_id uuid not null, at timestamptz not null default clock_timestamp())');
  await owner.query('grant select, insert on restart_runs to atrium_platform');
  await owner.end();
  const config = loadConfig({ DATABASE_URL: embedded.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/test-data' }, { loadDotenv: false });
  db = await connectDatabase(config, createLogger('silent'), embedded.url);
});

after(async () => {
  await db?.close();
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('PostgreSQL restarts during a run: nothing lost, each job leaves the queue once', async () => {
  const config = loadConfig({ DATABASE_URL: embedded.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/test-data' }, { loadDotenv: false });
  const engine = createJobEngine({ config, db, log: createLogger('silent') }, { leaseMs: 2000, pollMs: 200, sweepMs: 300 });
  engine.define({
    name: 'restart.test', concurrency: 8, backoff: { baseMs: 100, maxMs: 500 }, maxAttempts: 20,
    handler: async (job) => {
      await new Promise((r) => setTimeout(r, 5));
      await db.withPlatform((tx) => tx.query('insert into restart_runs (job_id) values ($1)', [job.id]));
    },
  });
  const ids = (await db.withPlatform((tx) => engine.enqueueMany(tx, 'restart.test', Array.from({ length: 600 }, (_, n) => ({ payload: { n } }))))).map((j) => j.id);
  const count = async (sql: string) => Number((await db.withPlatform((tx) => tx.query(sql))).rows[0].n);
  engine.start();
  try {
    for (;;) {
      if (await count('select count(*) as n from restart_runs') >= 150) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // A fast stop (active connections are cut) and a start on the same data directory.
    await embedded.stop();
    await new Promise((r) => setTimeout(r, 500));
    embedded = await startEmbeddedPostgres({ dataDir, port });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const left = await count("select count(*) as n from jobs where queue = 'restart.test'").catch(() => -1);
      if (left === 0) break;
      assert.ok(Date.now() < deadline, `jobs still queued: ${left}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await engine.stop();
  }
  const ran = await db.withPlatform(async (tx) => (await tx.query<{ job_id: string }>('select distinct job_id from restart_runs')).rows.map((r) => r.job_id));
  assert.deepEqual(new Set(ran), new Set(ids));
});
