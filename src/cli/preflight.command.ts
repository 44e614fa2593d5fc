// `atrium preflight [--json]`: the installation's readiness to serve, checked (kernel/preflight.ts).
// Exit 0 when nothing fails (warnings are printed), 1 when a check fails, naming each.
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import type { Check, PreflightReport } from '../kernel/preflight.ts';
import type { Database } from '../kernel/db/database.ts';
import { formatTable } from './workspace.command.ts';

const MARK: Record<Check['status'], string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL' };

/** The database as it is (never migrated or started for a check): DATABASE_URL, or the embedded server a running `atrium start` owns. */
async function readDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (!url) {
    const { startEmbeddedPostgres } = await import('../kernel/db/embedded.ts');
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
    if (!embedded.shared) stopEmbedded = () => embedded.stop();
    url = embedded.url;
  }
  const { openDatabase } = await import('../kernel/db/connect.ts');
  const log = { warn: () => {}, error: () => {}, info: () => {}, debug: () => {} } as unknown as Parameters<typeof openDatabase>[2];
  const db = openDatabase(config, url, log, { app: 1, owner: 1 });
  try {
    return await fn(db);
  } finally {
    await db.close();
    if (stopEmbedded) await stopEmbedded();
  }
}

export function printReport(report: PreflightReport): void {
  console.log(formatTable(['', 'CHECK', 'DETAIL'], report.checks.map((c) => [MARK[c.status], `${c.group}: ${c.name}`, c.detail])));
  const { ok, warn, fail } = report.counts;
  console.log(`\n${fail ? `${fail} check(s) failed` : 'Ready'}: ${ok} ok, ${warn} warning(s), ${fail} failure(s).`);
}

export function registerPreflightCommands(program: Command, getConfig: () => Config): void {
  program.command('preflight')
    .description('Check the installation is complete and safe to serve: configuration, database, roles and row-level security, jobs, clock (exit 1 if a check fails)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const config = getConfig();
      const { runPreflight } = await import('../kernel/preflight.ts');
      const report = await readDatabase(config, (db) => runPreflight(config, process.env, db));
      if (options.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report);
      if (!report.isOk) process.exitCode = 1;
    });
}
