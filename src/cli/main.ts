// The `atrium` command. Errors are one clear line and a non-zero exit.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../kernel/config.ts';
import { readFileSync } from 'node:fs';
import { registerStartCommands } from './start.command.ts';
import { registerWorkspaceCommands } from './workspace.command.ts';
import { registerAdminCommands } from './admin.command.ts';
import { registerAuditCommands } from './audit.command.ts';
import { registerKeysCommands } from './keys.command.ts';
import { registerWebhooksCommands } from './webhooks.command.ts';
import { registerJobsCommands } from './jobs.command.ts';
import { registerUsageCommands } from './usage.command.ts';
import { registerDataCommands } from './data.command.ts';
import { registerTenantCommands } from './tenant.command.ts';
import { registerDevCommands } from './dev.command.ts';
import { registerBuildsCommands } from './builds.command.ts';
import { registerPreflightCommands } from './preflight.command.ts';
import { registerBackupCommands } from './backup.command.ts';
import { registerDeployCommands } from './deploy.command.ts';
import { UsageError } from './usage.ts';

const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const program = new Command();
program
  .name('atrium')
  .description('Atrium: a multi-tenant platform for agencies (AI agents, workflows, client data APIs)')
  .version(VERSION, '-v, --version')
  // Errors are one line: `atrium: <what went wrong> (see --help)`.
  .configureOutput({ outputError: (str, write) => write(`atrium: ${str.trim().replace(/^error: /, '')} (see --help)\n`) })
  .exitOverride();

registerStartCommands(program, () => loadConfig());
registerWorkspaceCommands(program, () => loadConfig());
registerAdminCommands(program, () => loadConfig());
registerAuditCommands(program, () => loadConfig());
registerKeysCommands(program, () => loadConfig());
registerWebhooksCommands(program, () => loadConfig());
registerJobsCommands(program, () => loadConfig());
registerUsageCommands(program, () => loadConfig());
registerDataCommands(program, () => loadConfig());
registerTenantCommands(program, () => loadConfig());
registerDevCommands(program, () => loadConfig());
registerBuildsCommands(program, () => loadConfig());
registerPreflightCommands(program, () => loadConfig());
registerBackupCommands(program, () => loadConfig());
registerDeployCommands(program);

// `--version` answers on every command, not only the root.
const withSubcommands = (c: Command): Command[] => [c, ...c.commands.flatMap(withSubcommands)];
for (const command of withSubcommands(program).slice(1)) command.version(VERSION, '-v, --version');

const ANSWERED = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Help and version are answers (0); an unknown command, option or bad argument is a usage error (2).
  if (err instanceof CommanderError) process.exit(ANSWERED.has(err.code) ? 0 : 2);
  if (err instanceof UsageError) {
    console.error(`atrium: ${err.message}${err.message.includes('--help') ? '' : ' (see --help)'}`);
    process.exit(2);
  }
  const message = err instanceof ConfigError ? err.message : (err as Error).message;
  console.error(`atrium: ${message}`);
  process.exit(1);
}
