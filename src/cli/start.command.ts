import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Config } from '../kernel/config.ts';
import { withDatabase } from './runtime.ts';

// The platform is imported when a command runs, not when the CLI starts: `atrium --help` and
// the commands that need no database answer without loading it (runtime.ts).
export { withDatabase, withModules } from './runtime.ts';

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
      const [{ buildConsoleIfStale }, { startPlatform }] = await Promise.all([import('./console-build.ts'), import('../main.ts')]);
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
      const { runMigrations } = await import('../main.ts');
      await withDatabase(config, async (db) => {
        const applied = await runMigrations(config, db);
        console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date');
      });
    });
}

