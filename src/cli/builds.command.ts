// `atrium builds list|purge` (issue 15): a workspace's workflow builds, and the build tags' purge
// (what the daily job does; `--older-than` to choose the age). Platform path, like `jobs`.
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import { UsageError } from './usage.ts';
import { withModules } from './runtime.ts';
import { formatTable } from './workspace.command.ts';

function days(value: string): number {
  const m = /^(\d{1,4})d$/.exec(value);
  if (!m || Number(m[1]) < 1) throw new UsageError(`--older-than takes days, e.g. 30d (got ${value})`);
  return Number(m[1]);
}

export function registerBuildsCommands(program: Command, getConfig: () => Config): void {
  const builds = program.command('builds').description('Workflow builds: compiled code committed on each workspace\'s branch')
    .action(() => { throw new UsageError('missing subcommand: list or purge (see atrium builds --help)'); });

  builds.command('list').description('A workspace\'s builds, newest first')
    .requiredOption('--workspace <slug-or-id>', 'the workspace')
    .option('--limit <n>', 'how many (1–500)', '50')
    .option('--json', 'print JSON')
    .action(async (options: { workspace: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit is a number from 1 to 500');
      const list = await withModules(getConfig(), async ({ tenancy, workflows }, db) => {
        const workspace = await db.withPlatform((tx) => tenancy.findWorkspace(tx, options.workspace));
        if (!workspace) throw new UsageError(`no workspace with the id or slug "${options.workspace}"`);
        return db.withWorkspace(workspace.id, (tx) => workflows.listBuilds(tx, workspace.id, limit));
      });
      if (options.json) return void console.log(JSON.stringify(list, null, 2));
      if (!list.length) return void console.log('No builds yet: deploying a workflow builds it.');
      console.log(formatTable(['WHEN', 'WORKFLOW', 'VERSION', 'REASON', 'STATUS', 'DURATION', 'COMMIT', 'TAG'], list.map((b) => [
        b.createdAt.replace('T', ' ').slice(0, 19), b.workflowName.slice(0, 40), `v${b.version}`, b.reason, b.status,
        b.durationMs === null ? '-' : `${b.durationMs} ms`, b.commit?.slice(0, 10) ?? '-', b.tag ?? (b.error ? `error: ${b.error.code}` : '-'),
      ])));
    });

  builds.command('purge').description('Delete build tags older than a number of days (the commits stay on their branches)')
    .option('--older-than <days>', 'age, e.g. 30d', '30d')
    .option('--json', 'print JSON')
    .action(async (options: { olderThan: string; json?: boolean }) => {
      const age = days(options.olderThan);
      const purged = await withModules(getConfig(), ({ workflows }) => workflows.purgeBuildTags({ days: age }));
      if (options.json) return void console.log(JSON.stringify({ deleted: purged.length, tags: purged }, null, 2));
      console.log(purged.length ? `Deleted ${purged.length} build tag(s) older than ${age} days.` : `No build tag older than ${age} days.`);
    });
}
