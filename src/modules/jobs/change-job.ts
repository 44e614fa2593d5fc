// Retry a dead letter or cancel a job, as a platform admin. The job's workspace (if any) gets the
// audit event in the same transaction; a platform job's change is logged by the route.
import type { Tx } from '../../kernel/db/database.ts';
import type { CancelOutcome } from '../../kernel/jobs/index.ts';
import type { AuditContext } from '../audit/index.ts';
import type { JobsContext } from './jobs.context.ts';
import { jobsErrors } from './jobs.errors.ts';

async function findJob(deps: JobsContext, tx: Tx, id: string) {
  const job = await deps.jobs.findJob(tx, id);
  if (!job) throw jobsErrors.create('JOB_NOT_FOUND');
  return job;
}

export async function retryJob(deps: JobsContext, context: AuditContext, id: string): Promise<{ id: string; status: 'pending' | 'blocked' }> {
  return deps.db.withPlatform(async (tx) => {
    const job = await findJob(deps, tx, id);
    if (job.status !== 'dead') throw jobsErrors.create('JOB_NOT_DEAD', `The job is ${job.status}.`);
    await deps.jobs.retry(tx, id);
    if (job.workspaceId) await deps.audit.record(tx, context, { workspaceId: job.workspaceId, action: 'job.retried', targetType: 'job', targetId: id, diff: { before: { status: 'dead' }, after: { status: 'pending' } } });
    const after = await deps.jobs.findJob(tx, id);
    return { id, status: after?.status === 'blocked' ? 'blocked' : 'pending' };
  });
}

export async function cancelJob(deps: JobsContext, context: AuditContext, id: string): Promise<{ id: string; outcome: Exclude<CancelOutcome, 'not_found'> }> {
  return deps.db.withPlatform(async (tx) => {
    const job = await findJob(deps, tx, id);
    const outcome = await deps.jobs.cancel(tx, id);
    if (outcome === 'not_found') throw jobsErrors.create('JOB_NOT_FOUND');
    if (job.workspaceId) await deps.audit.record(tx, context, { workspaceId: job.workspaceId, action: 'job.cancelled', targetType: 'job', targetId: id, diff: { before: { status: job.status }, after: { status: outcome } } });
    return { id, outcome };
  });
}
