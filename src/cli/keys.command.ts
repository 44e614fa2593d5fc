// `atrium keys rotate`: re-wrap the secrets vault's data keys under a new master key. The new key
// is the configured one (ATRIUM_MASTER_KEY / _FILE); the old one comes from
// ATRIUM_MASTER_KEY_PREVIOUS / _FILE or --previous-key-file. Progress per workspace, `--json` summary.
import { UsageError } from './usage.ts';
import type { Command } from 'commander';
import { ConfigError, readMasterKeyFile } from '../kernel/config.ts';
import type { Config } from '../kernel/config.ts';
import type { RotationSummary, WorkspaceRotation } from '../modules/secrets/index.ts';
import { withModules } from './start.command.ts';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeWorkspace(w: WorkspaceRotation): string {
  const parts = [`${plural(w.rewrapped, 'data key')} re-wrapped`, `new data key version ${w.newVersion}`];
  if (w.deletedVersions.length) parts.push(`unused version${w.deletedVersions.length === 1 ? '' : 's'} ${w.deletedVersions.join(', ')} deleted`);
  parts.push(`${plural(w.pendingReencryption, 'value')} to re-encrypt lazily`);
  return `  ${w.slug} (${w.workspaceId}): ${parts.join(', ')}`;
}

function describeSummary(s: RotationSummary): string {
  if (s.workspaces.length === 0) return `Nothing to rotate: every data key is already wrapped by master key ${s.masterKeyId}.`;
  return [
    `Done: ${plural(s.workspaces.length, 'workspace')}, ${plural(s.dataKeysRewrapped, 'data key')} re-wrapped, ${s.dataKeysCreated} created, ${s.dataKeysDeleted} deleted.`,
    `Values still under an old data key: ${s.secretsPendingReencryption} (re-encrypted on their next write or use).`,
    'Once every server runs with the new master key, the previous one is no longer needed.',
  ].join('\n');
}

export function registerKeysCommands(program: Command, getConfig: () => Config): void {
  const keys = program
    .command('keys')
    .description('Manage the master key of the secrets vault')
    .action(() => {
      throw new UsageError('missing subcommand: rotate (see atrium keys --help)');
    });

  keys
    .command('rotate')
    .description('Re-wrap every workspace\'s data keys under the current master key (ATRIUM_MASTER_KEY or ATRIUM_MASTER_KEY_FILE); values are re-encrypted lazily')
    .option('--previous-key-file <path>', 'file holding the old master key (default: ATRIUM_MASTER_KEY_PREVIOUS or ATRIUM_MASTER_KEY_PREVIOUS_FILE)')
    .option('--json', 'print the summary as JSON (progress goes to stderr)')
    .action(async (options: { previousKeyFile?: string; json?: boolean }) => {
      const loaded = getConfig();
      const previous = options.previousKeyFile ? readMasterKeyFile(options.previousKeyFile, '--previous-key-file') : loaded.previousMasterKey;
      if (previous && previous.id === loaded.masterKey.id) throw new ConfigError('--previous-key-file', 'holds the current master key; give the old one');
      const config: Config = { ...loaded, previousMasterKey: previous };
      const progress = (line: string) => (options.json ? process.stderr : process.stdout).write(line + '\n');
      const summary = await withModules(config, async ({ secrets }) => {
        progress(`Re-wrapping data keys under master key ${config.masterKey.id}${previous ? ` (previous: ${previous.id})` : ''}…`);
        return secrets.rotateMasterKey({ actor: { type: 'system', id: null } }, (w) => progress(describeWorkspace(w)));
      });
      if (options.json) return void console.log(JSON.stringify(summary, null, 2));
      console.log(describeSummary(summary));
    });
}
