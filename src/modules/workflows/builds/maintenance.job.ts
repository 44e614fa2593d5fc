// The build repository's upkeep (issue 15), as cron jobs of the engine (visible in the jobs page):
// `workflows.builds_purge` daily deletes build tags older than 30 days (the commits stay on their
// branches: history is kept, only the markers go), `workflows.builds_gc` weekly runs `git gc`.
import type { Tx } from '../../../kernel/db/database.ts';
import type { JobEngine } from '../../../kernel/jobs/index.ts';
import type { Logger } from '../../../kernel/logging.ts';
import type { GitRepo } from './git-repo.ts';

export const BUILDS_PURGE_QUEUE = 'workflows.builds_purge';
export const BUILDS_GC_QUEUE = 'workflows.builds_gc';
export const TAG_RETENTION_DAYS = 30;

/** Build tags older than `days`: deleted; returns their names. */
export async function purgeBuildTags(repo: GitRepo, options: { days?: number; now?: Date } = {}): Promise<string[]> {
  const cutoff = (options.now ?? new Date()).getTime() - (options.days ?? TAG_RETENTION_DAYS) * 86_400_000;
  const old = (await repo.tags('bld/')).filter((t) => t.date.getTime() < cutoff).map((t) => t.name);
  for (let i = 0; i < old.length; i += 1000) await repo.deleteTags(old.slice(i, i + 1000));
  return old;
}

export function defineBuildMaintenance(jobs: JobEngine, repo: GitRepo, log: Logger): void {
  jobs.define({
    name: BUILDS_PURGE_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
    handler: async () => {
      const purged = await purgeBuildTags(repo);
      if (purged.length) log.info({ tags: purged.length }, 'build tags older than 30 days deleted');
    },
  });
  jobs.define({
    name: BUILDS_GC_QUEUE, concurrency: 1, maxAttempts: 2, timeoutMs: 60 * 60_000,
    handler: async () => {
      await repo.gc();
    },
  });
}

export async function scheduleBuildMaintenance(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: BUILDS_PURGE_QUEUE, cron: '41 3 * * *', queue: BUILDS_PURGE_QUEUE, payload: {}, workspaceId: null });
  await jobs.schedule(tx, { name: BUILDS_GC_QUEUE, cron: '17 4 * * 0', queue: BUILDS_GC_QUEUE, payload: {}, workspaceId: null });
}
