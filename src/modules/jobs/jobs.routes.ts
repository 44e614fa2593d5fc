// Platform admin routes over the job engine: queue stats, jobs by status, retry, cancel.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { cancelJob, retryJob } from './change-job.ts';
import type { JobsContext } from './jobs.context.ts';

const ADMIN = { auth: 'platform-admin' } as const;
const tags = ['admin'];

const JobStatus = Type.Union([Type.Literal('pending'), Type.Literal('blocked'), Type.Literal('running'), Type.Literal('dead')]);
const JobSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  queue: Type.String(),
  workspaceId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  status: JobStatus,
  priority: Type.Integer(),
  runAt: Type.String({ format: 'date-time' }),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  orderingKey: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.Object({ message: Type.String(), name: Type.Optional(Type.String()), stack: Type.Optional(Type.String()) }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const QueueStatsSchema = Type.Object({
  queue: Type.String(),
  pending: Type.Integer(),
  blocked: Type.Integer(),
  running: Type.Integer(),
  dead: Type.Integer(),
  oldestPendingSeconds: Type.Number({ description: 'Age of the oldest due pending job' }),
});
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export function jobsRoutes(deps: JobsContext): RoutePlugin {
  return async (app) => {
    app.get('/admin/jobs/stats', {
      config: ADMIN,
      schema: { tags, summary: 'Job queues: depth, running, dead letters, age of the oldest due job', response: { 200: Type.Object({ data: Type.Array(QueueStatsSchema) }) } },
    }, async () => ({ data: await deps.jobs.stats() }));

    app.get('/admin/jobs', {
      config: ADMIN,
      schema: {
        tags, summary: 'Jobs in the queue (live ones and dead letters), newest change first',
        querystring: Type.Object({
          status: Type.Optional(JobStatus),
          queue: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.:-]{0,99}$' })),
          workspaceId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: { 200: Type.Object({ data: Type.Array(JobSchema) }) },
      },
    }, async (request) => ({ data: await deps.jobs.listJobs(request.query) }));

    app.post('/admin/jobs/:id/retry', {
      config: ADMIN,
      schema: { tags, summary: 'Retry a dead letter (attempts start again)', params: IdParams, response: { 200: Type.Object({ id: Type.String(), status: Type.Union([Type.Literal('pending'), Type.Literal('blocked')]) }) } },
    }, async (request) => {
      const result = await retryJob(deps, auditContextOf(request), request.params.id);
      request.log.info({ audit: true, action: 'job.retried', jobId: request.params.id, actorUserId: request.principal?.userId }, 'platform admin: job.retried');
      return result;
    });

    app.post('/admin/jobs/:id/cancel', {
      config: ADMIN,
      schema: {
        tags, summary: 'Cancel a job: a waiting one is removed, a running one is asked to stop',
        params: IdParams, response: { 200: Type.Object({ id: Type.String(), outcome: Type.Union([Type.Literal('cancelled'), Type.Literal('cancelling')]) }) },
      },
    }, async (request) => {
      const result = await cancelJob(deps, auditContextOf(request), request.params.id);
      request.log.info({ audit: true, action: 'job.cancelled', jobId: request.params.id, actorUserId: request.principal?.userId }, 'platform admin: job.cancelled');
      return result;
    });
  };
}
