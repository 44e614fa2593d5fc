// `atrium jobs stats|list|retry|cancel`: the job engine from the command line (platform path).
// Tables for people, `--json` for scripts; a retry or cancel of a workspace's job is an audit
// event in that workspace's chain, with the CLI as the actor.
import { parseUuid, UsageError } from './usage.ts';
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import type { JobStatus } from '../kernel/jobs/index.ts';
import { withModules } from './start.command.ts';
import type { Modules } from '../compose.ts';
import { formatTable } from './workspace.command.ts';

const STATUSES: JobStatus[] = ['pending', 'blocked', 'running', 'dead'];

function withJobs<T>(config: Config, fn: (m: { engine: Modules['jobs']; admin: Modules['jobsAdmin'] }) => Promise<T>): Promise<T> {
  return withModules(config, (modules) => fn({ engine: modules.jobs, admin: modules.jobsAdmin }));
}

function age(seconds: number): string {
  if (seconds < 1) return '-';
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

export function registerJobsCommands(program: Command, getConfig: () => Config): void {
  const jobs = program.command('jobs').description('Job queues: depth, dead letters, retry and cancel')
    .action(() => { throw new UsageError('missing subcommand: stats, list, retry or cancel (see atrium jobs --help)'); });

  jobs.command('stats').description('Per queue: pending, blocked, running, dead, age of the oldest due job')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const stats = await withJobs(getConfig(), ({ engine }) => engine.stats());
      if (options.json) return console.log(JSON.stringify(stats, null, 2));
      if (stats.length === 0) return console.log('No jobs in any queue.');
      console.log(formatTable(['QUEUE', 'PENDING', 'BLOCKED', 'RUNNING', 'DEAD', 'OLDEST DUE'],
        stats.map((s) => [s.queue, String(s.pending), String(s.blocked), String(s.running), String(s.dead), age(s.oldestPendingSeconds)])));
    });

  jobs.command('list').description('Jobs by status (default: dead letters), newest change first')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`, 'dead')
    .option('--queue <queue>', 'only this queue')
    .option('--workspace <id>', 'only this workspace (uuid)')
    .option('--limit <n>', 'at most this many (1-500)', '50')
    .option('--json', 'print JSON')
    .action(async (options: { status: string; queue?: string; workspace?: string; limit: string; json?: boolean }) => {
      if (!STATUSES.includes(options.status as JobStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be an integer from 1 to 500');
      const list = await withJobs(getConfig(), ({ engine }) => engine.listJobs({ status: options.status as JobStatus, queue: options.queue, workspaceId: options.workspace, limit }));
      if (options.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log(`No ${options.status} jobs.`);
      console.log(formatTable(['ID', 'QUEUE', 'WORKSPACE', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
        list.map((j) => [j.id, j.queue, j.workspaceId ?? '(platform)', `${j.attempts}/${j.maxAttempts}`, j.updatedAt, (j.lastError?.message ?? '').slice(0, 80)])));
    });

  jobs.command('retry').description('Retry a dead letter (its attempts start again)').argument('<id>', 'the job id (a UUID)', parseUuid)
    .action(async (id: string) => {
      const { auditContextOfAdmin } = await import('../modules/admin/admin-audit.ts');
      const result = await withJobs(getConfig(), ({ admin }) => admin.retry(auditContextOfAdmin({ userId: null, via: 'cli' }), id));
      console.log(`Job ${result.id} is ${result.status} again.`);
    });

  jobs.command('cancel').description('Cancel a job: a waiting one is removed, a running one is asked to stop').argument('<id>', 'the job id (a UUID)', parseUuid)
    .action(async (id: string) => {
      const { auditContextOfAdmin } = await import('../modules/admin/admin-audit.ts');
      const result = await withJobs(getConfig(), ({ admin }) => admin.cancel(auditContextOfAdmin({ userId: null, via: 'cli' }), id));
      console.log(result.outcome === 'cancelled' ? `Job ${result.id} cancelled.` : `Job ${result.id} is running; it was asked to stop.`);
    });
}
