// The `atrium` command. Errors are one clear line and a non-zero exit.
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../kernel/config.ts';
import { VERSION } from '../main.ts';
import { registerStartCommands } from './start.command.ts';

const program = new Command();
program
  .name('atrium')
  .description('Atrium: a multi-tenant platform for agencies (AI agents, workflows, client data APIs)')
  .version(VERSION, '-v, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerStartCommands(program, () => loadConfig());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode);
  }
  const message = err instanceof ConfigError ? err.message : (err as Error).message;
  console.error(`atrium: ${message}`);
  process.exit(1);
}
