// The job engine's door (docs/adr/0010-job-engine.md).
export { createJobEngine } from './engine.ts';
export type { JobEngineOptions } from './engine.ts';
export { PermanentJobError } from './jobs.types.ts';
export type {
  CancelOutcome, EnqueueOptions, EnqueuedJob, JobActor, JobContext, JobEngine, JobStatus, JobSummary, QueueDefinition, QueueStats, ScheduleDefinition,
} from './jobs.types.ts';
