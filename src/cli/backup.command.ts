// `atrium backup --out <file>` and `atrium restore --in <file>` (kernel/backup.ts): a full logical
// backup of the installation (every platform table in one snapshot, each workspace's data API
// schema), encrypted (ATRIUM_BACKUP_KEY, or a key derived from the master key), with a manifest
// and its SHA-256 beside it; a restore into an empty database, all or nothing.
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import { withModules } from './runtime.ts';
import { UsageError } from './usage.ts';

const CLI = { userId: null, via: 'cli' as const };

export function registerBackupCommands(program: Command, getConfig: () => Config): void {
  program.command('backup')
    .description('Write a full, encrypted backup of the database (every table in one snapshot, each workspace\'s data schema) and its manifest')
    .requiredOption('--out <file>', 'the backup file (its manifest is written beside it as <file>.manifest.json)')
    .option('--json', 'print the manifest as JSON')
    .action(async (options: { out: string; json?: boolean }) => {
      const config = getConfig();
      const [{ backupKey, writeBackup }, { VERSION }] = await Promise.all([import('../kernel/backup.ts'), import('../main.ts')]);
      const key = backupKey(config.masterKey, config.backupKey);
      const started = Date.now();
      const manifest = await withModules(config, ({ data }, db) => writeBackup({
        directUrl: db.directUrl, file: options.out, key, atriumVersion: VERSION, data: data.backup,
        onProgress: (e) => { if (!options.json && process.stderr.isTTY && e.table) process.stderr.write(`\r  ${e.table.padEnd(32)} ${String(e.rows).padStart(10)} rows`); },
      }));
      if (!options.json && process.stderr.isTTY) process.stderr.write('\r'.padEnd(50) + '\r');
      if (options.json) return void console.log(JSON.stringify(manifest, null, 2));
      const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
      console.log(`Backed up ${manifest.tables.length} tables (${rows.toLocaleString('en-US')} rows) and ${manifest.dataWorkspaces.length} data schema(s) to ${options.out}`);
      const size = manifest.bytes >= 1e6 ? `${(manifest.bytes / 1e6).toFixed(1)} MB` : `${(manifest.bytes / 1e3).toFixed(1)} kB`;
      console.log(`  ${size}, sha256 ${manifest.sha256}, sealed with ${manifest.keyId}, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(`  Keep the key with it: without ${manifest.keyId.startsWith('master-key') ? 'the master key' : 'ATRIUM_BACKUP_KEY'} it cannot be read.`);
    });

  program.command('restore')
    .description('Restore a backup into an empty database (DATABASE_URL): migrations, then every table in one transaction, then the data schemas')
    .requiredOption('--in <file>', 'the backup file (its manifest beside it is checked when present)')
    .option('--json', 'print JSON')
    .action(async (options: { in: string; json?: boolean }) => {
      const config = getConfig();
      const { existsSync } = await import('node:fs');
      if (!existsSync(options.in)) throw new UsageError(`${options.in} does not exist`);
      const [{ backupKey, restoreBackup }, { auditContextOfAdmin }] = await Promise.all([import('../kernel/backup.ts'), import('../modules/admin/admin-audit.ts')]);
      const key = backupKey(config.masterKey, config.backupKey);
      const started = Date.now();
      // withModules migrates first: an empty database gets the schema the backup was made with.
      const result = await withModules(config, ({ data }, db) => restoreBackup({
        directUrl: db.directUrl, file: options.in, key,
        importData: (workspaceId, lines) => data.restoreData(auditContextOfAdmin(CLI), workspaceId, lines),
      }));
      if (options.json) return void console.log(JSON.stringify(result, null, 2));
      const rows = result.tables.reduce((n, t) => n + t.rows, 0);
      console.log(`Restored ${result.tables.length} tables (${rows.toLocaleString('en-US')} rows) and ${result.dataWorkspaces} data schema(s) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      console.log('  Next: atrium audit verify (every chain), then start the platform.');
    });
}
