// `npm test`: starts an embedded PostgreSQL for the run, builds a template database with every
// migration, then runs node's test runner; each test file clones the template (fast, isolated).
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/kernel/db/embedded.ts';
import { migrate } from '../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { TEST_SECRET, TEMPLATE_DB } from '../test/helpers/constants.ts';
import { PGBOUNCER_BINARY, startPgBouncer } from '../test/helpers/pgbouncer.ts';

// The PgBouncer pass (transaction pooling, issue 16): after the full run, these files run again
// with every pool going through PgBouncer (LISTEN, migrations and backups on the direct URL).
// ATRIUM_TEST_PGBOUNCER=1 runs the given files through it alone.
const POOLED_FILES = [
  'test/isolation/rls.test.ts', 'test/tenant-guard/tenant-guard.test.ts', 'src/kernel/jobs/engine.test.ts', 'test/jobs/kill-worker.test.ts',
  'src/kernel/bus.test.ts', 'src/modules/data-api/data-api.test.ts', 'src/modules/workflows/run-execution.test.ts',
];

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
// Each concurrent `npm test` needs its own server: ATRIUM_TEST_PG_PORT picks port and data dir.
const port = Number(process.env.ATRIUM_TEST_PG_PORT ?? 54339);
const dataDir = path.join(root, '.atrium', `test-${port}`);
if (process.env.CI) rmSync(dataDir, { recursive: true, force: true });
const embedded = await startEmbeddedPostgres({ dataDir, port });
const adminUrl = embedded.url.replace(/\/atrium$/, '/postgres');
let exitCode: number;
try {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const stale = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 't\\_%' or datname = $1`, [TEMPLATE_DB]);
  for (const { datname } of stale.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const templatePool = new pg.Pool({ connectionString: adminUrl.replace(/\/postgres$/, `/${TEMPLATE_DB}`) });
  templatePool.on('error', () => {});
  await migrate(templatePool, { appPassword: deriveAppPassword(TEST_SECRET) });
  await templatePool.end();

  const needsConsole = args.length === 0 || args.some((a) => a.includes('browser'));
  if (needsConsole && !existsSync(path.join(root, 'console/dist/index.html'))) {
    await run('npx', ['vite', 'build', 'console', '--logLevel', 'warn'], {});
  }

  const files = args.length > 0 ? args : ['src/**/*.test.ts', 'test/**/*.test.ts'];
  // The long fuzz run (npm run fuzz) needs more than the default two minutes per test.
  const timeout = process.env.ATRIUM_TEST_TIMEOUT_MS ?? '120000';
  const testArgs = ['--test', '--test-concurrency=2', `--test-timeout=${timeout}`];
  const onlyPooled = process.env.ATRIUM_TEST_PGBOUNCER === '1';
  exitCode = onlyPooled ? 0 : await run(process.execPath, [...testArgs, ...files], { ATRIUM_TEST_PG_URL: adminUrl });
  if (onlyPooled || (args.length === 0 && exitCode === 0)) {
    if (!PGBOUNCER_BINARY && !process.env.CI && !onlyPooled) {
      console.log('\n# PgBouncer pass skipped: pgbouncer is not installed (apt-get install -y pgbouncer; CI requires it)');
    } else {
      const bouncer = await startPgBouncer({ postgresPort: port, port: port + 100, users: { postgres: 'atrium-embedded', atrium_app: deriveAppPassword(TEST_SECRET) } });
      try {
        console.log(`\n# PgBouncer pass: ${onlyPooled ? files.length : POOLED_FILES.length} file(s) through PgBouncer (transaction pooling) on port ${bouncer.port}`);
        exitCode = await run(process.execPath, [...testArgs, ...(onlyPooled ? files : POOLED_FILES)], {
          ATRIUM_TEST_PG_URL: adminUrl, ATRIUM_TEST_PGBOUNCER_URL: bouncer.through(adminUrl),
        });
      } finally {
        await bouncer.stop();
      }
    }
  }
} finally {
  await embedded.stop();
}
process.exit(exitCode);

function run(cmd: string, argv: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
