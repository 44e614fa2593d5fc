// `atrium admin create`: create or promote a platform admin (the operator of the installation).
import { UsageError } from './usage.ts';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { emitKeypressEvents } from 'node:readline';
import type { Config } from '../kernel/config.ts';
import type { AdminModule } from '../modules/admin/index.ts';
import { withModules } from './start.command.ts';

/** The admin module on the configured database, for one command. Logs go to stderr. */
export async function withAdminModule<T>(config: Config, fn: (admin: AdminModule) => Promise<T>): Promise<T> {
  return withModules(config, (modules) => fn(modules.admin));
}

export function parseEmail(value: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new InvalidArgumentError('must be an email address');
  return value;
}

/** Read a password on the terminal without echoing it. */
export function promptPassword(label: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise((resolve, reject) => {
    let value = '';
    emitKeypressEvents(input);
    input.setRawMode(true);
    input.resume();
    output.write(label);
    const done = (err: Error | null) => {
      input.removeListener('keypress', onKey);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onKey = (str: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) => {
      if (key?.ctrl && (key.name === 'c' || key.name === 'd')) return done(new Error('cancelled'));
      if (key?.name === 'return' || key?.name === 'enter') return done(null);
      if (key?.name === 'backspace') {
        value = value.slice(0, -1);
        return;
      }
      if (str && !key?.ctrl && str >= ' ') value += str;
    };
    input.on('keypress', onKey);
  });
}

async function resolvePassword(option: string | undefined, config: Config): Promise<string | undefined> {
  if (option !== undefined) return option;
  if (config.adminPassword) return config.adminPassword;
  if (!process.stdin.isTTY) return undefined;
  const password = await promptPassword('Password for the platform admin: ');
  const confirm = await promptPassword('Repeat the password: ');
  if (password !== confirm) throw new Error('the two passwords differ');
  return password;
}

export function registerAdminCommands(program: Command, getConfig: () => Config): void {
  const admin = program
    .command('admin')
    .description('Manage platform admins (operators of this installation)')
    .action(() => {
      throw new UsageError('missing subcommand: create (see atrium admin --help)');
    });

  admin
    .command('create')
    .description('Create a platform admin, or promote an existing user; idempotent')
    .requiredOption('--email <email>', 'email address of the admin', parseEmail)
    .option('--password <password>', 'password (default: ATRIUM_ADMIN_PASSWORD, else asked on the terminal; a flag shows in shell history)')
    .option('--name <name>', 'display name')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nAn existing user keeps their password and workspaces. A new admin gets an "Operations" workspace to log in to.')
    .action(async (options: { email: string; password?: string; name?: string; json?: boolean }) => {
      const config = getConfig();
      const password = await resolvePassword(options.password, config);
      if (password === undefined) {
        throw new Error('no password: pass --password, set ATRIUM_ADMIN_PASSWORD, or run in a terminal to be asked');
      }
      const result = await withAdminModule(config, (m) => m.createPlatformAdmin({ email: options.email, password, name: options.name }, { userId: null, via: 'cli' }));
      if (options.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const what = result.isNewUser ? 'created' : result.wasPromoted ? 'promoted (existing user; password unchanged)' : 'already a platform admin; nothing changed';
      console.log(`Platform admin ${result.user.email}: ${what}.`);
      console.log(`Log in to workspace "${result.workspace.name}" (${result.workspace.slug})${result.workspace.isNew ? ', created for this admin' : ''}.`);
    });
}
