// A deleted workspace keeps its data for the grace period (it can be restored meanwhile); then
// this daily job (`data.purge`, cron 23 3 * * *) drops its data schema and role, one workspace
// per platform transaction (atrium_drop_data_schema, the platform path only), audited.
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';

export const DATA_PURGE_QUEUE = 'data.purge';
export const DATA_GRACE_DAYS = 30;

/** Drops the data schemas of workspaces deleted more than `graceDays` ago; returns their ids. */
export async function purgeDeletedSchemas(db: Database, audit: Pick<AuditModule, 'record'>, options: { now?: Date; graceDays?: number; signal?: AbortSignal } = {}): Promise<string[]> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - (options.graceDays ?? DATA_GRACE_DAYS) * 86_400_000);
  const due = await db.withPlatform((tx) => tx.query<{ id: string }>(
    `select d.workspace_id as id from data_schemas d join workspace_directory w on w.id = d.workspace_id
     where w.deleted_at is not null and w.deleted_at <= $1 order by w.deleted_at limit 500`, [cutoff]));
  const purged: string[] = [];
  for (const { id } of due.rows) {
    if (options.signal?.aborted) break;
    await db.withPlatform(async (tx) => {
      await tx.query('select atrium_drop_data_schema($1)', [id]);
      await audit.record(tx, { actor: { type: 'system', id: null }, ip: null, userAgent: null, requestId: null, traceId: null }, {
        workspaceId: id, action: 'data.schema_purged', targetType: 'data_schema', targetId: id, diff: { before: { graceDays: options.graceDays ?? DATA_GRACE_DAYS }, after: null },
      });
    });
    purged.push(id);
  }
  return purged;
}

export function definePurgeJob(jobs: JobEngine, db: Database, audit: Pick<AuditModule, 'record'>, log: Logger): void {
  jobs.define({
    name: DATA_PURGE_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
    handler: async (job) => {
      const purged = await purgeDeletedSchemas(db, audit, { signal: job.signal });
      if (purged.length) log.info({ workspaces: purged.length }, 'data schemas of deleted workspaces dropped');
    },
  });
}

export async function schedulePurge(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: DATA_PURGE_QUEUE, cron: '23 3 * * *', queue: DATA_PURGE_QUEUE, payload: {}, workspaceId: null });
}
