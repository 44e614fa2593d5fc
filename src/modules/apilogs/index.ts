// The API logs module's door: one api_logs row per API request, written in batches off the
// request path; the workspace's own listing (GET /api-logs, permission api_log.read); retention
// on the job engine. The composition root calls `registerCapture(app)` on the root app before
// the API routes are registered.
import type { FastifyInstance } from 'fastify';
import type { Tx } from '../../kernel/db/database.ts';
import { reportApiTraffic, reportEndpointSeries, reportEndpointUsage } from './report-api-logs.ts';
import * as platformReports from './report-platform.ts';
import client from 'prom-client';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { KernelDeps } from '../../kernel/module.ts';
import { createApiLogBuffer } from './api-log-buffer.ts';
import type { ApiLogBufferOptions } from './api-log-buffer.ts';
import { registerApiLogCapture } from './api-log-capture.ts';
import { apiLogsRoutes } from './api-logs.routes.ts';
import { applyApiLogRetention } from './apply-retention.ts';
import { listApiLogs } from './list-api-logs.ts';
import type { ApiLogQuery } from './list-api-logs.ts';
import { defineRetentionJob, scheduleRetention } from './retention.job.ts';

export type { ApiLog, ApiLogActorType, ApiLogFilters, StatusClass } from './api-logs.types.ts';
export type { ApiLogPage, ApiLogQuery } from './list-api-logs.ts';
export type { ApiLogBufferStats } from './api-log-buffer.ts';
export type { ApiLogRetentionRun } from './apply-retention.ts';
export { RETENTION_DAYS_BY_PLAN, DEFAULT_RETENTION_DAYS as DEFAULT_API_LOG_RETENTION_DAYS, retentionDaysOf } from './apply-retention.ts';
export { RETENTION_QUEUE as API_LOG_RETENTION_QUEUE, RETENTION_CRON as API_LOG_RETENTION_CRON } from './retention.job.ts';
export { redactBody } from './redact-body.ts';
export { apiLogsErrors } from './api-logs.errors.ts';

export type ApiLogsModuleOptions = { buffer?: ApiLogBufferOptions };

export type { ApiTrafficReport } from './report-api-logs.ts';
export type { ServerErrorRow } from './report-platform.ts';

export function createApiLogsModule(deps: KernelDeps, modules: { jobs: JobEngine }, options: ApiLogsModuleOptions = {}) {
  const buffer = createApiLogBuffer(deps.db, deps.log, options.buffer);
  defineRetentionJob(modules.jobs, deps.db, deps.log);
  return {
    routes: apiLogsRoutes(deps.db),
    /** What other modules may read (in the caller's transaction): request counts of a window. */
    reports: {
      traffic(tx: Tx, workspaceId: string, from: Date, to: Date) {
        return reportApiTraffic(tx, workspaceId, from, to);
      },
      /** Installation-wide (platform path): 5xx counts, hourly 5xx, active workspaces, 5xx pages. */
      platform: platformReports,
      /** One family of endpoints (a route prefix) of a workspace: per-bucket counts, errors, latency percentiles. */
      endpointSeries: reportEndpointSeries,
      /** The same across workspaces (platform path): the busiest ones. */
      endpointUsage: reportEndpointUsage,
    },
    /** Adds the capture hooks to the root app (before the API routes are registered). */
    registerCapture(app: FastifyInstance): void {
      registerApiLogCapture(app, buffer);
    },
    /** Writes what is buffered now (tests, shutdown); never throws. */
    flush(): Promise<void> {
      return buffer.flush();
    },
    /** The writer's counters on /metrics: rows by state (buffered now; written, sanitised, dropped, refused since start) and failed batch writes. */
    registerMetrics(registry: client.Registry): void {
      new client.Gauge({
        name: 'atrium_api_log_rows', help: 'API log rows of this process by state: buffered (now); written, sanitised, dropped, refused (since start)',
        labelNames: ['state'] as const, registers: [registry],
        collect() {
          const s = buffer.stats();
          for (const state of ['buffered', 'written', 'sanitised', 'dropped', 'refused'] as const) this.set({ state }, s[state]);
        },
      });
      new client.Gauge({
        name: 'atrium_api_log_failed_writes', help: 'Batch writes of API logs that failed with the database unavailable (retried with backoff), since start', registers: [registry],
        collect() { this.set(buffer.stats().failedWrites); },
      });
    },
    /** This process's writer: rows buffered, written, dropped (buffer full or database down). */
    stats() {
      return buffer.stats();
    },
    /** Why the last row refused even sanitised was refused (for the logs and tests). */
    lastRefusal() {
      return buffer.lastRefusal();
    },
    list(workspaceId: string, query: ApiLogQuery) {
      return listApiLogs(deps.db, workspaceId, query);
    },
    applyRetention(options: { now?: Date } = {}) {
      return applyApiLogRetention(deps.db, { ...options, log: deps.log });
    },
    /** The hourly retention schedule, in the caller's platform transaction (idempotent). */
    installSchedules(tx: Tx): Promise<void> {
      return scheduleRetention(modules.jobs, tx);
    },
  };
}

export type ApiLogsModule = ReturnType<typeof createApiLogsModule>;
