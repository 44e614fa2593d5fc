// Starts an execution: the workflow's deployed version (or a named version: a test run of a
// draft), the input checked against the input schema, the execution row and its job, in ONE
// transaction (the job exists only if the execution does). With an idempotency key, a second
// call gives the first execution (and a different input with the same key is refused).
import { kernelErrors } from '../../kernel/errors.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { JobActor } from '../../kernel/jobs/index.ts';
import type { AuditContext } from '../audit/index.ts';
import { systemContext } from '../audit/index.ts';
import { findExecutionByKey, insertExecution, jobOrderingKey, setExecutionJob } from './executions.store.ts';
import { inputProblems } from './input-schema.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { EXECUTE_QUEUE } from './workflows.context.ts';
import { workflowsErrors } from './workflows.errors.ts';
import { findVersion, findWorkflow } from './workflows.store.ts';
import type { ExecutionStatus, ExecutionTrigger } from './workflows.types.ts';

export type StartExecutionInput = {
  workspaceId: string;
  workflowId: string;
  input?: unknown;
  trigger: ExecutionTrigger;
  /** Who starts it (carried by the job; the audit event's actor unless `audit` is given). */
  actor: JobActor | null;
  idempotencyKey?: string | null;
  /**
   * Executions started with the same key run one at a time, in start order (e.g. an ordered
   * webhook source). A delay or step retry inside one of them yields its turn to the next.
   */
  orderingKey?: string | null;
  /** Run this version instead of the deployed one (a test run of a draft). */
  versionId?: string;
  /** The audit context (routes pass the request's); default: a system context naming the trigger. */
  audit?: AuditContext;
};

export type StartedExecution = { executionId: string; status: ExecutionStatus; isNew: boolean };

function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** In the caller's transaction, bound to `input.workspaceId`. */
export async function startExecutionInTx(ctx: WorkflowsContext, tx: Tx, s: StartExecutionInput): Promise<StartedExecution> {
  const ws = s.workspaceId;
  const input = s.input ?? {};
  const workflow = await findWorkflow(tx, ws, s.workflowId);
  if (!workflow) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
  if (s.idempotencyKey) {
    const existing = await findExecutionByKey(tx, ws, s.workflowId, s.idempotencyKey);
    if (existing) return replay(existing.id, existing.status, existing.input, input);
  }
  if (workflow.status === 'archived') throw workflowsErrors.create('WORKFLOW_ARCHIVED', 'An archived workflow can\'t be executed');
  const versionId = s.versionId ?? workflow.deployedVersionId;
  if (!versionId) throw workflowsErrors.create('WORKFLOW_NOT_DEPLOYED', 'Deploy a version first, or name the version to run');
  const version = await findVersion(tx, ws, versionId);
  if (!version || version.workflowId !== workflow.id) throw workflowsErrors.create('VERSION_NOT_FOUND', 'No such version of this workflow');
  const problems = inputProblems(workflow.inputSchema, input);
  if (problems.length > 0) throw workflowsErrors.create('INPUT_REJECTED', problems.map((p) => `${p.path} ${p.message}`).join('; '), { extra: { errors: problems } });

  const id = await insertExecution(tx, {
    workspaceId: ws, workflowId: workflow.id, versionId, trigger: s.trigger, input, stepsTotal: version.definition.steps.length,
    idempotencyKey: s.idempotencyKey ?? null, orderingKey: s.orderingKey ?? null, actor: s.actor, timeoutMs: workflow.timeoutMs,
  });
  if (!id) {
    // A concurrent call with the same key committed first.
    const existing = await findExecutionByKey(tx, ws, s.workflowId, s.idempotencyKey!);
    return replay(existing!.id, existing!.status, existing!.input, input);
  }
  const job = await ctx.jobs.enqueue(tx, EXECUTE_QUEUE, { executionId: id }, {
    workspaceId: ws, actor: s.actor, orderingKey: jobOrderingKey({ id, orderingKey: s.orderingKey ?? null }), timeoutMs: workflow.timeoutMs + 60_000,
  });
  await setExecutionJob(tx, ws, id, job.id);
  const audit = s.audit ?? systemContext(`workflows.${s.trigger}`, s.actor ?? { type: 'system', id: null });
  await ctx.audit.record(tx, audit, {
    workspaceId: ws, action: 'workflow.executed', targetType: 'workflow_execution', targetId: id,
    diff: { after: { workflowId: workflow.id, versionId, version: version.version, trigger: s.trigger } },
  });
  return { executionId: id, status: 'pending', isNew: true };
}

function replay(id: string, status: ExecutionStatus, storedInput: unknown, input: unknown): StartedExecution {
  if (!sameJson(storedInput, input)) throw kernelErrors.create('IDEMPOTENCY_KEY_REUSED', `The key was first used for execution ${id} with another input`);
  return { executionId: id, status, isNew: false };
}

/** Its own transaction, or the caller's (`tx`, bound to the workspace). */
export async function startExecution(ctx: WorkflowsContext, s: StartExecutionInput, tx?: Tx): Promise<StartedExecution> {
  if (tx) return startExecutionInTx(ctx, tx, s);
  return ctx.db.withWorkspace(s.workspaceId, (t) => startExecutionInTx(ctx, t, s));
}

