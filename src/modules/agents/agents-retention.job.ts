// Retention of agents' logs, by plan (free 7 days, pro 30, enterprise 90): daily on the job
// engine (`agents.retention`, cron 41 3 * * *). Runs, threads and messages are kept (they are the
// record of what an agent did and what it cost); the log is the chatty part. Deletes in batches
// of 5,000, one short platform transaction each, by id (uuidv7: time-ordered, the primary key's
// order), so no index on time is needed; a cancelled run leaves the rest to the next one.
import type { Database, Tx } from '../../kernel/db/database.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { deleteInBatches } from '../../kernel/db/delete-in-batches.ts';

export const AGENTS_RETENTION_QUEUE = 'agents.retention';
export const AGENT_LOG_RETENTION_DAYS: Readonly<Record<string, number>> = { free: 7, pro: 30, enterprise: 90 };
const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;

export type AgentLogRetentionRun = { deleted: number; byWorkspace: Array<{ workspaceId: string; deleted: number; retentionDays: number }> };

/** The smallest uuidv7 of a millisecond: every id made before it sorts below. */
function idBefore(ms: number): string {
  return `${uuidv7(ms).slice(0, 13)}7000-8000-000000000000`;
}

export async function applyAgentLogRetention(db: Database, options: { now?: Date; log?: Logger; signal?: AbortSignal } = {}): Promise<AgentLogRetentionRun> {
  const now = (options.now ?? new Date()).getTime();
  const workspaces = await db.withPlatform(async (tx) => (await tx.query<{ id: string; plan: string }>(
    `select w.id, w.plan from workspace_directory w
      where exists (select 1 from agent_logs l where l.workspace_id = w.id and l.id < $1)`, [idBefore(now - DEFAULT_DAYS * DAY_MS)])).rows);
  const run: AgentLogRetentionRun = { deleted: 0, byWorkspace: [] };
  for (const w of workspaces) {
    if (options.signal?.aborted) break;
    const days = AGENT_LOG_RETENTION_DAYS[w.plan] ?? DEFAULT_DAYS;
    const bound = idBefore(now - days * DAY_MS);
    const deleted = await deleteInBatches(db, (limit) =>
      `with gone as (delete from agent_logs where workspace_id = $1 and id in (
         select id from agent_logs where workspace_id = $1 and id < $2 limit ${limit}) returning 1)
       select count(*) as n from gone`, [w.id, bound], { signal: options.signal });
    if (deleted > 0) {
      run.deleted += deleted;
      run.byWorkspace.push({ workspaceId: w.id, deleted, retentionDays: days });
      options.log?.info({ workspaceId: w.id, deleted, retentionDays: days }, 'agent log retention applied');
    }
  }
  return run;
}

export function defineAgentsRetentionJob(jobs: JobEngine, db: Database, log: Logger): void {
  jobs.define({
    name: AGENTS_RETENTION_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 60 * 60_000, backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
    handler: async (job) => {
      await applyAgentLogRetention(db, { log, signal: job.signal });
    },
  });
}

export async function scheduleAgentsRetention(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: AGENTS_RETENTION_QUEUE, cron: '41 3 * * *', queue: AGENTS_RETENTION_QUEUE, payload: {}, workspaceId: null });
}
