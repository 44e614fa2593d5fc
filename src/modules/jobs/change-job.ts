// Retry a dead letter or cancel a job, as a platform admin. The job's workspace (if any) gets the
// audit event in the same transaction; a platform job's change is logged by the route.
import type { Database } from '../../kernel/db/database.ts';
import type { CancelOutcome, JobEngine } from '../../kernel/jobs/index.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import { jobsErrors } from './jobs.errors.ts';

export type JobsDeps = { db: Database; jobs: JobEngine; audit: Pick<AuditModule, 'record'> };

async function findJob(deps: JobsDeps, tx: Parameters<Parameters<Database['withPlatform']>[0]>[0], id: string) {
  const { rows } = await tx.query<{ workspace_id: string | null; queue: string; status: string }>('select workspace_id, queue, status from jobs where id = $1', [id]);
  if (!rows[0]) throw jobsErrors.create('JOB_NOT_FOUND');
  return rows[0];
}

export async function retryJob(deps: JobsDeps, context: AuditContext, id: string): Promise<{ id: string; status: 'pending' | 'blocked' }> {
  return deps.db.withPlatform(async (tx) => {
    const job = await findJob(deps, tx, id);
    if (job.status !== 'dead') throw jobsErrors.create('JOB_NOT_DEAD', `The job is ${job.status}.`);
    await deps.jobs.retry(tx, id);
    if (job.workspace_id) await deps.audit.record(tx, context, { workspaceId: job.workspace_id, action: 'job.retried', targetType: 'job', targetId: id, diff: { before: { status: 'dead' }, after: { status: 'pending' } } });
    const { rows } = await tx.query<{ status: 'pending' | 'blocked' }>('select status from jobs where id = $1', [id]);
    return { id, status: rows[0].status };
  });
}

export async function cancelJob(deps: JobsDeps, context: AuditContext, id: string): Promise<{ id: string; outcome: Exclude<CancelOutcome, 'not_found'> }> {
  return deps.db.withPlatform(async (tx) => {
    const job = await findJob(deps, tx, id);
    const outcome = await deps.jobs.cancel(tx, id);
    if (outcome === 'not_found') throw jobsErrors.create('JOB_NOT_FOUND');
    if (job.workspace_id) await deps.audit.record(tx, context, { workspaceId: job.workspace_id, action: 'job.cancelled', targetType: 'job', targetId: id, diff: { before: { status: job.status }, after: { status: outcome } } });
    return { id, outcome };
  });
}
