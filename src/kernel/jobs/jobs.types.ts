// The job engine's public contract (src/kernel/jobs/index.ts is the door).
import type { Tx } from '../db/database.ts';
import type { Logger } from '../logging.ts';

/** Who caused a job; a handler rebuilds its audit context from it. */
export type JobActor = {
  type: 'user' | 'api_key' | 'system' | 'platform_admin';
  id: string | null;
  realActorId?: string | null;
};

export type EnqueueOptions = {
  /** The job's workspace (required in a tenant transaction: RLS checks it); null/absent = platform job. */
  workspaceId?: string | null;
  actor?: JobActor | null;
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Higher runs first within a workspace's lane (default 0). */
  priority?: number;
  /** Attempts before the job becomes a dead letter (default: the queue's, else 5). */
  maxAttempts?: number;
  /** Per-attempt timeout; the handler's signal aborts and the attempt fails (default: the queue's). */
  timeoutMs?: number;
  /** At most one running job per key; the next starts when the previous one ends. */
  orderingKey?: string;
  /** While a job with this key is live in the queue, enqueueing another returns the first one. */
  idempotencyKey?: string;
};

export type EnqueuedJob = { id: string; isNew: boolean };

/** What a handler receives. */
export type JobContext<P = unknown> = {
  id: string;
  queue: string;
  payload: P;
  workspaceId: string | null;
  actor: JobActor | null;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted on timeout, cancellation, lost lease or shutdown; `signal.reason` says which. */
  signal: AbortSignal;
  log: Logger;
};

export type QueueDefinition<P = unknown> = {
  name: string;
  handler: (job: JobContext<P>) => Promise<void>;
  /** Jobs of this queue running at once in one process (default 5). */
  concurrency?: number;
  /**
   * Jobs claimed ahead and held in this process, beyond the running ones (default 0). Raises
   * throughput for short jobs (fewer, larger claims); keep 0 for long jobs, which would otherwise
   * wait here instead of going to another worker.
   */
  prefetch?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Exponential backoff with full jitter: min(maxMs, baseMs · 2^(attempt-1)) (defaults 1 s, 10 min). */
  backoff?: { baseMs: number; maxMs: number };
};

/** Thrown by a handler to fail without retrying (the job goes straight to dead). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export type ScheduleDefinition = {
  /** Unique, e.g. `audit.retention` or `workflow:<id>`. */
  name: string;
  /** Five or six fields (croner syntax), e.g. `0 * * * *`. */
  cron: string;
  timezone?: string;
  queue: string;
  payload?: unknown;
  workspaceId?: string | null;
  isEnabled?: boolean;
};

export type JobStatus = 'pending' | 'blocked' | 'running' | 'dead';

export type JobSummary = {
  id: string;
  queue: string;
  workspaceId: string | null;
  status: JobStatus;
  priority: number;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  orderingKey: string | null;
  lastError: { message: string; stack?: string } | null;
  createdAt: string;
  updatedAt: string;
};

export type QueueStats = {
  queue: string;
  pending: number;
  blocked: number;
  running: number;
  dead: number;
  /** Age in seconds of the oldest pending job that is due, or 0. */
  oldestPendingSeconds: number;
};

export type CancelOutcome = 'cancelled' | 'cancelling' | 'not_found';

export type JobEngine = {
  define<P>(definition: QueueDefinition<P>): void;
  /** Inside the caller's transaction: the job exists only if that transaction commits. */
  enqueue<P>(tx: Tx, queue: string, payload: P, options?: EnqueueOptions): Promise<EnqueuedJob>;
  enqueueMany<P>(tx: Tx, queue: string, jobs: Array<{ payload: P; options?: EnqueueOptions }>): Promise<EnqueuedJob[]>;
  /**
   * In the caller's transaction (a tenant transaction sees only its workspace's jobs): a pending
   * or blocked job is removed; a running one is asked to stop (its signal aborts).
   */
  cancel(tx: Tx, jobId: string): Promise<CancelOutcome>;
  /** One job's workspace, queue and status, in the caller's transaction (a tenant one sees only its jobs), or null. */
  findJob(tx: Tx, jobId: string): Promise<{ workspaceId: string | null; queue: string; status: JobStatus } | null>;
  /** A dead letter back to pending, attempts reset. False if it is not dead. */
  retry(tx: Tx, jobId: string): Promise<boolean>;
  /** Create or update a cron schedule (in the caller's transaction). */
  schedule(tx: Tx, definition: ScheduleDefinition): Promise<void>;
  unschedule(tx: Tx, name: string): Promise<boolean>;
  /** Platform view: per-queue depth, age of the oldest due job, running, dead. */
  stats(): Promise<QueueStats[]>;
  listJobs(filter: { status?: JobStatus; queue?: string; workspaceId?: string; limit?: number }): Promise<JobSummary[]>;
  /** Worker lifecycle (the composition root starts it in worker processes). */
  name: string;
  start(): void;
  stop(): Promise<void>;
};
