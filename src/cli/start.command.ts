import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Config } from '../kernel/config.ts';
import type { Database } from '../kernel/db/database.ts';
import { createLogger } from '../kernel/logging.ts';
import { startPlatform, connectDatabase, runMigrations } from '../main.ts';
import { startEmbeddedPostgres } from '../kernel/db/embedded.ts';
import { buildConsoleIfStale } from './console-build.ts';
import { pino } from 'pino';
import { composeModules } from '../compose.ts';
import type { Modules } from '../compose.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return port;
}

function parseRole(value: string): 'all' | 'api' | 'worker' {
  if (value !== 'all' && value !== 'api' && value !== 'worker') throw new InvalidArgumentError('must be api, worker or all');
  return value;
}

export function registerStartCommands(program: Command, getConfig: () => Config): void {
  program
    .command('start')
    .description('Start the platform: embedded PostgreSQL (unless DATABASE_URL), migrations, API, workers and console')
    .option('--role <role>', 'api, worker or all', parseRole, 'all')
    .option('--port <port>', 'HTTP port (default PORT or 3000)', parsePort)
    .action(async (options: { role: 'all' | 'api' | 'worker'; port?: number }) => {
      const config = getConfig();
      if (options.role !== 'worker') await buildConsoleIfStale();
      const { stop, url } = await startPlatform(config, options);
      const banner = [
        '',
        `  Atrium ${options.role === 'worker' ? 'worker is running' : `is running at ${url}`}`,
        options.role !== 'worker' ? `  API docs:   ${url}/docs` : '',
        `  Database:   ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL, data in ${config.dataDir}`}`,
        '',
        '  Create the first platform admin:',
        '    npx atrium admin create --email you@example.com',
        '  (or set ATRIUM_ADMIN_EMAIL and ATRIUM_ADMIN_PASSWORD before the first start)',
        '',
      ].filter((l) => l !== '');
      process.stderr.write(banner.join('\n') + '\n\n');
      const onSignal = (signal: string) => {
        process.stderr.write(`\n  ${signal} received, stopping…\n`);
        stop().then(() => {
          process.stderr.write('  Stopped.\n');
          process.exit(0);
        }, (err) => {
          console.error(`atrium: shutdown failed: ${(err as Error).message}`);
          process.exit(1);
        });
      };
      process.once('SIGINT', () => onSignal('SIGINT'));
      process.once('SIGTERM', () => onSignal('SIGTERM'));
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const config = getConfig();
      await withDatabase(config, async (db) => {
        const applied = await runMigrations(config, db);
        console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date');
      });
    });
}

/**
 * Every module on the configured database, for one command: the same graph as the server
 * (compose.ts), without HTTP or workers. Logs (warn and above) go to stderr.
 */
export async function withModules<T>(config: Config, fn: (modules: Modules, db: Database) => Promise<T>): Promise<T> {
  return withDatabase(config, async (db) => {
    const log = pino({ level: 'warn', base: { service: 'atrium-cli' } }, pino.destination(2));
    const modules = composeModules({ config, db, log });
    try {
      return await fn(modules, db);
    } finally {
      await modules.jobs.stop();
    }
  });
}

/** Open the configured database (starting the embedded one if needed), run fn, close. */
export async function withDatabase<T>(config: Config, fn: (db: Awaited<ReturnType<typeof connectDatabase>>) => Promise<T>): Promise<T> {
  const log = createLogger('warn');
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
    url = embedded.url;
  }
  const db = await connectDatabase(config, log, url);
  try {
    await runMigrations(config, db);
    return await fn(db);
  } finally {
    await db.close();
    if (embedded) await embedded.stop();
  }
}
