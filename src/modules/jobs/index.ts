// The jobs module's door: platform admin operations on the kernel's job engine.
import type { JobsContext } from './jobs.context.ts';
import { cancelJob, retryJob } from './change-job.ts';
import { jobsRoutes } from './jobs.routes.ts';
import type { AuditContext } from '../audit/index.ts';

export { jobsErrors } from './jobs.errors.ts';

export function createJobsModule(deps: JobsContext) {
  return {
    routes: jobsRoutes(deps),
    retry: (context: AuditContext, id: string) => retryJob(deps, context, id),
    cancel: (context: AuditContext, id: string) => cancelJob(deps, context, id),
  };
}

export type JobsModule = ReturnType<typeof createJobsModule>;
