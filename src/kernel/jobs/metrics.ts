// The engine's Prometheus metrics: counters it increments as jobs end, and gauges read from the
// queue's state when /metrics is scraped.
import client from 'prom-client';
import type { QueueStats } from './jobs.types.ts';

export function createJobCounters() {
  return {
    completed: new client.Counter({ name: 'atrium_jobs_completed_total', help: 'Jobs completed, by queue', labelNames: ['queue'] as const, registers: [] }),
    failed: new client.Counter({ name: 'atrium_jobs_failed_total', help: 'Job attempts failed (retried or dead), by queue and outcome', labelNames: ['queue', 'outcome'] as const, registers: [] }),
    rejected: new client.Counter({ name: 'atrium_jobs_rejected_completions_total', help: 'Completions refused because the lease had expired and the job was claimed again', labelNames: ['queue'] as const, registers: [] }),
  };
}

export type JobCounters = ReturnType<typeof createJobCounters>;

export function registerJobMetrics(registry: client.Registry, counters: JobCounters, stats: () => Promise<QueueStats[]>): void {
  for (const c of Object.values(counters)) registry.registerMetric(c);
  new client.Gauge({
    name: 'atrium_jobs_depth', help: 'Jobs by queue and status (pending, blocked, running, dead)', labelNames: ['queue', 'status'] as const, registers: [registry],
    async collect() {
      for (const s of await stats()) for (const status of ['pending', 'blocked', 'running', 'dead'] as const) this.set({ queue: s.queue, status }, s[status]);
    },
  });
  new client.Gauge({
    name: 'atrium_jobs_oldest_pending_seconds', help: 'Age of the oldest due pending job, by queue', labelNames: ['queue'] as const, registers: [registry],
    async collect() {
      for (const s of await stats()) this.set({ queue: s.queue }, s.oldestPendingSeconds);
    },
  });
}
