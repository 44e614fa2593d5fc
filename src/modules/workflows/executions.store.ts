// SQL of workflow_executions and workflow_step_runs.
import type { Tx } from '../../kernel/db/database.ts';
import { moneyFromDecimal } from '../../kernel/money.ts';
import type { Money } from '../../kernel/money.ts';
import type { JobActor } from '../../kernel/jobs/index.ts';
import type { ExecutionStatus, ExecutionTrigger } from './workflows.types.ts';

export type ExecutionError = { message: string; code: string; stepId?: string | null; stack?: string };

export type Execution = {
  id: string;
  workflowId: string;
  workflowName: string;
  versionId: string;
  version: number;
  status: ExecutionStatus;
  trigger: ExecutionTrigger;
  input: unknown;
  output: unknown;
  error: ExecutionError | null;
  stepsDone: number;
  stepsTotal: number;
  currentStep: string | null;
  idempotencyKey: string | null;
  orderingKey: string | null;
  jobId: string | null;
  actor: JobActor | null;
  timeoutMs: number;
  cost: string | null;
  revenue: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
};

export const FINAL_STATUSES: readonly ExecutionStatus[] = ['completed', 'failed', 'cancelled', 'timed_out'];

type ExecutionRow = {
  id: string; workflow_id: string; workflow_name: string; version_id: string; version: number; status: ExecutionStatus; trigger: ExecutionTrigger;
  input: unknown; output: unknown; error: ExecutionError | null; steps_done: number; steps_total: number; current_step: string | null;
  idempotency_key: string | null; ordering_key: string | null; job_id: string | null; actor: JobActor | null; timeout_ms: number; cost: string | null; revenue: string | null;
  created_at: Date; started_at: Date | null; finished_at: Date | null; duration_ms: number | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toExecution(r: ExecutionRow): Execution {
  return {
    id: r.id, workflowId: r.workflow_id, workflowName: r.workflow_name, versionId: r.version_id, version: r.version, status: r.status, trigger: r.trigger,
    input: r.input, output: r.output, error: r.error, stepsDone: r.steps_done, stepsTotal: r.steps_total, currentStep: r.current_step,
    idempotencyKey: r.idempotency_key, orderingKey: r.ordering_key, jobId: r.job_id, actor: r.actor, timeoutMs: r.timeout_ms, cost: r.cost, revenue: r.revenue,
    createdAt: r.created_at.toISOString(), startedAt: iso(r.started_at), finishedAt: iso(r.finished_at), durationMs: r.duration_ms,
  };
}

const SELECT = `select e.id, e.workflow_id, w.name as workflow_name, e.version_id, v.version, e.status, e.trigger, e.input, e.output, e.error,
  e.steps_done, e.steps_total, e.current_step, e.idempotency_key, e.ordering_key, e.job_id, e.actor, e.timeout_ms, e.cost::text, e.revenue::text,
  e.created_at, e.started_at, e.finished_at, e.duration_ms
  from workflow_executions e
  join workflows w on w.workspace_id = e.workspace_id and w.id = e.workflow_id
  join workflow_versions v on v.workspace_id = e.workspace_id and v.id = e.version_id`;

export async function findExecution(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Execution | null> {
  const { rows } = await tx.query<ExecutionRow>(`${SELECT} where e.workspace_id = $1 and e.id = $2${options.forUpdate ? ' for update of e' : ''}`, [workspaceId, id]);
  return rows[0] ? toExecution(rows[0]) : null;
}

export async function findExecutionByKey(tx: Tx, workspaceId: string, workflowId: string, key: string): Promise<Execution | null> {
  const { rows } = await tx.query<ExecutionRow>(`${SELECT} where e.workspace_id = $1 and e.workflow_id = $2 and e.idempotency_key = $3`, [workspaceId, workflowId, key]);
  return rows[0] ? toExecution(rows[0]) : null;
}

export type NewExecution = {
  workspaceId: string; workflowId: string; versionId: string; trigger: ExecutionTrigger; input: unknown; stepsTotal: number;
  idempotencyKey: string | null; orderingKey: string | null; actor: JobActor | null; timeoutMs: number;
};

/** The new execution's id, or null when its idempotency key is taken (a concurrent or earlier call). */
export async function insertExecution(tx: Tx, e: NewExecution): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into workflow_executions (workspace_id, workflow_id, version_id, trigger, input, steps_total, idempotency_key, actor, timeout_ms, ordering_key)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (workspace_id, workflow_id, idempotency_key) where idempotency_key is not null do nothing
     returning id`,
    [e.workspaceId, e.workflowId, e.versionId, e.trigger, JSON.stringify(e.input), e.stepsTotal, e.idempotencyKey, e.actor ? JSON.stringify(e.actor) : null, e.timeoutMs, e.orderingKey]);
  return rows[0]?.id ?? null;
}

export async function setExecutionJob(tx: Tx, workspaceId: string, id: string, jobId: string): Promise<void> {
  await tx.query(`update workflow_executions set job_id = $3 where workspace_id = $1 and id = $2`, [workspaceId, id, jobId]);
}

export async function markProcessing(tx: Tx, workspaceId: string, id: string): Promise<void> {
  await tx.query(
    `update workflow_executions set status = 'processing', started_at = coalesce(started_at, now()) where workspace_id = $1 and id = $2 and status = 'pending'`,
    [workspaceId, id]);
}

/** Progress of a processing execution; false when it is no longer processing (cancelled meanwhile). */
export async function updateProgress(tx: Tx, workspaceId: string, id: string, p: { stepsDoneDelta?: number; currentStep?: string | null }): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update workflow_executions set steps_done = steps_done + $3, current_step = case when $4 then $5 else current_step end
     where workspace_id = $1 and id = $2 and status = 'processing'`,
    [workspaceId, id, p.stepsDoneDelta ?? 0, p.currentStep !== undefined, p.currentStep ?? null]);
  return rowCount === 1;
}

export type Finish = { status: 'completed' | 'failed' | 'timed_out' | 'cancelled'; output?: unknown; error?: ExecutionError | null; cost?: string | null; revenue?: string | null };

/** Ends an execution that is in one of `from`; null when it was not. */
export async function finishExecution(tx: Tx, workspaceId: string, id: string, f: Finish, from: readonly ExecutionStatus[]): Promise<Execution | null> {
  const { rowCount } = await tx.query(
    `update workflow_executions set status = $3, output = $4, error = $5, cost = $6, revenue = $7, finished_at = now(), current_step = null,
       duration_ms = greatest(0, (extract(epoch from now() - coalesce(started_at, created_at)) * 1000)::int)
     where workspace_id = $1 and id = $2 and status = any($8::text[])`,
    [workspaceId, id, f.status, f.output === undefined ? null : JSON.stringify(f.output), f.error ? JSON.stringify(f.error) : null, f.cost ?? null, f.revenue ?? null, from]);
  return rowCount === 1 ? findExecution(tx, workspaceId, id) : null;
}

/** The job-engine ordering key of an execution's jobs: its own, or the shared one it was started with. */
export function jobOrderingKey(e: { id: string; orderingKey: string | null }): string {
  return e.orderingKey ?? `workflow-execution:${e.id}`;
}

/** A failed, timed-out or cancelled execution back to pending: a fresh deadline, its checkpoints kept. */
export async function resetForRetry(tx: Tx, workspaceId: string, id: string): Promise<void> {
  await tx.query(
    `update workflow_executions set status = 'pending', output = null, error = null, finished_at = null, duration_ms = null, started_at = null,
       cost = null, revenue = null, current_step = null
     where workspace_id = $1 and id = $2`, [workspaceId, id]);
}

export type ExecutionFilter = { workflowId?: string; status?: ExecutionStatus; limit: number; after?: string };

export async function listExecutions(tx: Tx, workspaceId: string, f: ExecutionFilter): Promise<Execution[]> {
  const { rows } = await tx.query<ExecutionRow>(
    `${SELECT} where e.workspace_id = $1 and ($2::uuid is null or e.workflow_id = $2) and ($3::text is null or e.status = $3)
       and ($4::uuid is null or e.id < $4)
     order by e.id desc limit $5`,
    [workspaceId, f.workflowId ?? null, f.status ?? null, f.after ?? null, f.limit]);
  return rows.map(toExecution);
}

export type WorkflowStats = {
  total: number; succeeded: number; failed: number; cancelled: number; running: number; successRate: number | null;
  averageDurationMs: number | null; revenueThisMonth: Money; costThisMonth: Money; executionsThisMonth: number;
};

/** Month boundaries are UTC. Success rate = completed / (completed + failed + timed out). */
export async function workflowStats(tx: Tx, workspaceId: string, workflowId: string, currency: string): Promise<WorkflowStats> {
  const { rows } = await tx.query<{ total: number; succeeded: number; failed: number; cancelled: number; running: number; avg: number | null; revenue: string; cost: string; month: number }>(
    `select count(*)::int as total,
       count(*) filter (where status = 'completed')::int as succeeded,
       count(*) filter (where status in ('failed', 'timed_out'))::int as failed,
       count(*) filter (where status = 'cancelled')::int as cancelled,
       count(*) filter (where status in ('pending', 'processing'))::int as running,
       (avg(duration_ms) filter (where status = 'completed'))::float8 as avg,
       coalesce(sum(revenue) filter (where finished_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'), 0)::text as revenue,
       coalesce(sum(cost) filter (where finished_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'), 0)::text as cost,
       count(*) filter (where created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')::int as month
     from workflow_executions where workspace_id = $1 and workflow_id = $2`,
    [workspaceId, workflowId]);
  const r = rows[0];
  return {
    total: r.total, succeeded: r.succeeded, failed: r.failed, cancelled: r.cancelled, running: r.running,
    successRate: r.succeeded + r.failed > 0 ? r.succeeded / (r.succeeded + r.failed) : null,
    averageDurationMs: r.avg === null ? null : Math.round(r.avg), revenueThisMonth: moneyFromDecimal(r.revenue, currency), costThisMonth: moneyFromDecimal(r.cost, currency), executionsThisMonth: r.month,
  };
}

// Step runs.

export type StepRunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'skipped';

export type StepRun = {
  id: string; stepId: string; stepType: string; attempt: number; status: StepRunStatus; output: unknown; outputSize: number | null;
  error: ExecutionError | null; wakeAt: string | null; startedAt: string; finishedAt: string | null; durationMs: number | null;
};

type StepRunRow = {
  id: string; step_id: string; step_type: string; attempt: number; status: StepRunStatus; output: unknown; output_size: number | null;
  error: ExecutionError | null; wake_at: Date | null; started_at: Date; finished_at: Date | null; duration_ms: number | null;
};

function toStepRun(r: StepRunRow): StepRun {
  return {
    id: r.id, stepId: r.step_id, stepType: r.step_type, attempt: r.attempt, status: r.status, output: r.output, outputSize: r.output_size, error: r.error,
    wakeAt: iso(r.wake_at), startedAt: r.started_at.toISOString(), finishedAt: iso(r.finished_at), durationMs: r.duration_ms,
  };
}

const STEP_RUN = 'id, step_id, step_type, attempt, status, output, output_size, error, wake_at, started_at, finished_at, duration_ms';

export async function listStepRuns(tx: Tx, workspaceId: string, executionId: string): Promise<StepRun[]> {
  const { rows } = await tx.query<StepRunRow>(`select ${STEP_RUN} from workflow_step_runs where workspace_id = $1 and execution_id = $2 order by id`, [workspaceId, executionId]);
  return rows.map(toStepRun);
}

export async function insertStepRun(tx: Tx, r: { workspaceId: string; executionId: string; stepId: string; stepType: string; attempt: number; status: StepRunStatus; wakeAt?: Date | null }): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into workflow_step_runs (workspace_id, execution_id, step_id, step_type, attempt, status, wake_at, finished_at, duration_ms)
     values ($1, $2, $3, $4, $5, $6, $7, case when $6 = 'skipped' then now() end, case when $6 = 'skipped' then 0 end) returning id`,
    [r.workspaceId, r.executionId, r.stepId, r.stepType, r.attempt, r.status, r.wakeAt ?? null]);
  return rows[0].id;
}

export async function endStepRun(tx: Tx, workspaceId: string, id: string, end: { status: 'completed' | 'failed'; output?: unknown; outputSize?: number; error?: ExecutionError | null }): Promise<void> {
  await tx.query(
    `update workflow_step_runs set status = $3, output = $4, output_size = $5, error = $6, finished_at = now(),
       duration_ms = greatest(0, (extract(epoch from now() - started_at) * 1000)::int)
     where workspace_id = $1 and id = $2`,
    [workspaceId, id, end.status, end.output === undefined ? null : JSON.stringify(end.output), end.outputSize ?? null, end.error ? JSON.stringify(end.error) : null]);
}

/** Runs left open (a crashed attempt, a cancelled wait) are closed as failed. */
export async function failOpenStepRuns(tx: Tx, workspaceId: string, executionId: string, error: ExecutionError, statuses: readonly StepRunStatus[] = ['running', 'waiting']): Promise<void> {
  await tx.query(
    `update workflow_step_runs set status = 'failed', error = $3, finished_at = now(),
       duration_ms = greatest(0, (extract(epoch from now() - started_at) * 1000)::int)
     where workspace_id = $1 and execution_id = $2 and status = any($4::text[])`,
    [workspaceId, executionId, JSON.stringify(error), statuses]);
}
