// The job engine — not implemented yet (the lead is writing it).
import type { KernelDeps } from '../module.ts';
import type { JobEngine } from './jobs.types.ts';

export type JobEngineOptions = { workerId?: string; leaseMs?: number; pollMs?: number };

export function createJobEngine(_deps: KernelDeps, _options: JobEngineOptions = {}): JobEngine {
  const fail = (): never => { throw new Error('job engine: not implemented yet'); };
  const definitions = new Map<string, unknown>();
  return {
    name: 'jobs',
    define(d) { definitions.set(d.name, d); },
    enqueue: async () => fail(),
    enqueueMany: async () => fail(),
    cancel: async () => fail(),
    retry: async () => fail(),
    schedule: async () => fail(),
    unschedule: async () => fail(),
    stats: async () => fail(),
    listJobs: async () => fail(),
    start() {},
    async stop() {},
  };
}
