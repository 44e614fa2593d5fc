// The `workflows.execute` job: runs an execution's steps in order, checkpointing each step's
// output in workflow_step_runs, so a job retry or POST /retry resumes at the first step that did
// not complete. Steps run outside any transaction (an http step may take seconds); each state
// change is a short tenant transaction guarded by `status = 'processing'`, so a cancel that
// lands meanwhile wins and nothing is written after it.
//
// - A step failure fails the execution (or, with `retry`, re-enqueues it after `delayMs`): the
//   job itself succeeds. Only infrastructure errors (database, lost lease, shutdown) throw, and
//   the job engine retries the job, which resumes where it stopped.
// - A delay step never sleeps in the handler: it records a waiting run and re-enqueues the job
//   at its wake-up time; the same ordering key keeps one job per execution at a time.
// - The execution's deadline (started_at + the workflow's timeout) aborts the running step and
//   ends the execution as timed_out.
// - foreach bodies and sub-workflows run inline, as part of their step (one checkpoint).
// - The top level is a program over FlowRuntime (compiler/runtime.ts): the interpreter's loop by
//   default, a compiled module when the module is told so (the compiler's conformance suite);
//   each top-level step goes through topStep (checkpoint, delay, retry), and Halt ends the job.
import { parseDateTime } from '../../kernel/http/date-time.ts';
import { toStorableText } from '../../kernel/db/isolating-write.ts';
import { isDatabaseError, projectRelativeStack } from '../../kernel/stack.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { JobContext } from '../../kernel/jobs/index.ts';
import { PermanentJobError } from '../../kernel/jobs/index.ts';
import { evaluate, redact, resolveValue } from './expressions.ts';
import { FINAL_STATUSES, endStepRun, jobOrderingKey, failOpenStepRuns, findExecution, finishExecution, insertStepRun, listStepRuns, markProcessing, setExecutionJob, updateProgress } from './executions.store.ts';
import type { Execution, ExecutionError, Finish, StepRun } from './executions.store.ts';
import { inputProblems } from './input-schema.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import { EXECUTE_QUEUE, MAX_CHECKPOINT_BYTES, MAX_SUB_WORKFLOW_DEPTH } from './workflows.context.ts';
import { findVersion, findWorkflow } from './workflows.store.ts';
import type { Workflow } from './workflows.store.ts';
import { StepError } from './workflows.types.ts';
import type { ExecutionFinishedEvent, Scope, StepContext, StepDefinition, WorkflowDefinition } from './workflows.types.ts';
import type { FlowRuntime } from './compiler/runtime.ts';

export type ExecutePayload = { executionId: string };

export type Env = {
  ctx: WorkflowsContext;
  job: JobContext<ExecutePayload>;
  ws: string;
  execution: Execution;
  workflow: Workflow;
  /** Secret values resolved during this run: scrubbed from every output and error. */
  secrets: Set<string>;
  signal: AbortSignal;
};

const MAX_FOREACH_ITEMS = 1000;
/** The longest a delay step waits. */
const MAX_DELAY_MS = 366 * 24 * 3600 * 1000;

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{2,64}$/i.test(code) ? code.toUpperCase() : 'STEP_FAILED';
}

function toError(err: unknown, stepId: string | null, secrets: ReadonlySet<string>): ExecutionError {
  const e = err instanceof Error ? err : new Error(String(err));
  // A database error's message can quote SQL and values: the workspace sees that the platform failed, not how.
  const isInternal = isDatabaseError(err);
  const message = isInternal ? 'The platform failed while running this step; it is retried, or try again later' : toStorableText(e.message.slice(0, 2000));
  const stack = e.stack ? projectRelativeStack(e.stack.slice(0, 8000)) : undefined;
  return redact({ message, code: isInternal ? 'INTERNAL' : errorCode(err), stepId, ...(stack ? { stack } : {}) }, secrets);
}

function skipTargets(step: StepDefinition, output: unknown): string[] {
  if (step.type !== 'condition') return [];
  const isTrue = (output as { result?: unknown } | null)?.result === true;
  const targets = isTrue ? step.else : step.then;
  return Array.isArray(targets) ? (targets as string[]) : [];
}

async function resolveSecretValue(env: Env, name: string): Promise<string> {
  const value = await env.ctx.db.withWorkspace(env.ws, (tx) => env.ctx.resolveSecret(tx, env.ws, name));
  env.secrets.add(value);
  return value;
}

/** A condition's output: `{ result }`, the expression's value read as a boolean. */
async function conditionOutput(step: StepDefinition, local: Scope): Promise<{ result: boolean }> {
  const value = await evaluate(step.expression as string, local);
  return { result: value === true || (value !== false && value !== null && value !== 0 && value !== '' && !(Array.isArray(value) && value.length === 0)) };
}

/** A foreach's items (at most 1,000), each run by `body` in its own scope: the list of what each returned. */
async function forEachItem(step: StepDefinition, scope: Scope, local: Scope, body: (inner: Scope) => Promise<unknown>): Promise<unknown[]> {
  const value = await evaluate(step.items as string, local);
  const items = value === null ? [] : Array.isArray(value) ? value : [value];
  if (items.length > MAX_FOREACH_ITEMS) throw new StepError('FOREACH_TOO_MANY_ITEMS', `${items.length} items (at most ${MAX_FOREACH_ITEMS})`);
  const results: unknown[] = [];
  for (const [index, item] of items.entries()) results.push(await body({ input: scope.input, steps: { ...scope.steps }, item, index }));
  return results;
}

/**
 * One step, inline (no checkpoint of its own): the top level checkpoints around it. `body` runs a
 * foreach's steps for one item (the interpreter's runList; a compiled workflow passes its own code).
 */
export async function executeStep(env: Env, step: StepDefinition, scope: Scope, depth: number, body?: (inner: Scope) => Promise<unknown>): Promise<unknown> {
  const entry = env.ctx.steps.get(step.type);
  if (!entry) throw new StepError('UNKNOWN_STEP_TYPE', `No step type "${step.type}" is registered in this process`);
  const stepInput = (await resolveValue(step.input ?? {}, scope)) as Record<string, unknown>;
  const local: Scope = { ...scope, step: stepInput };
  switch (entry.control) {
    case 'condition':
      return conditionOutput(step, local);
    case 'delay':
      throw new StepError('DELAY_NOT_ALLOWED', 'A delay step can only run at the top level of an execution');
    case 'foreach':
      return forEachItem(step, scope, local, body ?? ((inner) => runList(env, step.steps as StepDefinition[], inner, depth)));
    case 'workflow':
      return runSubWorkflow(env, step.workflowId as string, stepInput, depth);
    default: {
      const context: StepContext = {
        workspaceId: env.ws, workflowId: env.workflow.id, executionId: env.execution.id, actor: env.job.actor, step, input: stepInput, scope: local,
        resolve: (value) => resolveValue(value, local),
        evaluate: (expression) => evaluate(expression, local),
        secret: (name) => resolveSecretValue(env, name),
        signal: env.signal,
        log: env.job.log.child({ executionId: env.execution.id, stepId: step.id }),
      };
      return entry.execute!(context);
    }
  }
}

/**
 * FlowRuntime on the interpreter's own step functions, inline (no checkpoints): how a compiled
 * module runs a foreach body, and what the compiler's conformance suite runs it with — the same
 * executeStep the interpreter calls, so the two differ in control flow only.
 */
export function inlineRuntime(env: Env, depth = 0): FlowRuntime {
  const rt: FlowRuntime = {
    step: (step, scope) => executeStep(env, step as StepDefinition, scope, depth),
    skip: async () => {},
    // Inline, a delay is refused as the interpreter refuses it (DELAY_NOT_ALLOWED).
    delay: (step, scope) => executeStep(env, step as StepDefinition, scope, depth),
    foreach: (step, scope, body) => executeStep(env, step as StepDefinition, scope, depth, (inner) => body(inner, rt)) as Promise<unknown[]>,
    output: (expression, scope) => evaluate(expression, scope),
  };
  return rt;
}

/** A list of steps inline (foreach body, sub-workflow); `scope.steps` fills as they run. Returns the last output. */
export async function runList(env: Env, steps: StepDefinition[], scope: Scope, depth: number): Promise<unknown> {
  const skipped = new Set<string>();
  let last: unknown = null;
  for (const step of steps) {
    env.signal.throwIfAborted();
    if (skipped.has(step.id)) continue;
    const output = await executeStep(env, step, scope, depth);
    scope.steps[step.id] = output;
    last = output;
    for (const id of skipTargets(step, output)) skipped.add(id);
  }
  return last;
}

async function runSubWorkflow(env: Env, workflowId: string, input: unknown, depth: number): Promise<unknown> {
  if (depth + 1 > MAX_SUB_WORKFLOW_DEPTH) throw new StepError('SUB_WORKFLOW_TOO_DEEP', `Sub-workflows nest at most ${MAX_SUB_WORKFLOW_DEPTH} deep`);
  const loaded = await env.ctx.db.withWorkspace(env.ws, async (tx) => {
    const workflow = await findWorkflow(tx, env.ws, workflowId);
    if (!workflow || workflow.status !== 'deployed' || !workflow.deployedVersionId) return null;
    return { workflow, version: (await findVersion(tx, env.ws, workflow.deployedVersionId))! };
  });
  if (!loaded) throw new StepError('SUB_WORKFLOW_NOT_DEPLOYED', `Workflow ${workflowId} is not deployed`);
  const problems = inputProblems(loaded.workflow.inputSchema, input);
  if (problems.length > 0) throw new StepError('SUB_WORKFLOW_INPUT_REJECTED', `Input of ${loaded.workflow.name}: ${problems.map((p) => `${p.path.replace(/^body\./, '')} ${p.message}`).join('; ')}`);
  const definition = loaded.version.definition;
  const scope: Scope = { input, steps: {} };
  const last = await runList(env, definition.steps, scope, depth + 1);
  return definition.output ? evaluate(definition.output, scope) : last;
}

function sizeOf(output: unknown): number {
  return Buffer.byteLength(JSON.stringify(output ?? null));
}

/** Ends the execution (if still processing) and tells the listeners, in one transaction. */
async function finish(env: Env, tx: Tx, f: Finish): Promise<boolean> {
  const isCompleted = f.status === 'completed';
  const done = await finishExecution(tx, env.ws, env.execution.id, {
    ...f, cost: isCompleted ? env.workflow.costPerExecution : null, revenue: isCompleted ? env.workflow.revenuePerExecution : null,
  }, ['processing']);
  if (!done || f.status === 'cancelled') return !!done;
  const event: ExecutionFinishedEvent = {
    type: isCompleted ? 'execution.completed' : 'execution.failed',
    workspaceId: env.ws, executionId: done.id, workflowId: done.workflowId, status: f.status as 'completed' | 'failed' | 'timed_out',
    ...(isCompleted ? { output: done.output } : { error: { message: done.error?.message ?? '', code: done.error?.code ?? 'STEP_FAILED', stepId: done.error?.stepId ?? null } }),
    finishedAt: done.finishedAt!,
  };
  for (const listener of env.ctx.finishedListeners) await listener(tx, event);
  return true;
}

/** Re-enqueue the execution's job (delay, step retry); the current job ends right after. */
async function continueLater(env: Env, tx: Tx, runAt: Date): Promise<void> {
  const job = await env.ctx.jobs.enqueue(tx, EXECUTE_QUEUE, { executionId: env.execution.id }, {
    workspaceId: env.ws, actor: env.job.actor, runAt, orderingKey: jobOrderingKey(env.execution), timeoutMs: env.execution.timeoutMs + 60_000,
  });
  await setExecutionJob(tx, env.ws, env.execution.id, job.id);
}

type Loaded = { execution: Execution; workflow: Workflow; definition: WorkflowDefinition; runs: StepRun[] };

async function load(ctx: WorkflowsContext, job: JobContext<ExecutePayload>, ws: string): Promise<Loaded | null> {
  const id = job.payload.executionId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const current = await findExecution(tx, ws, id, { forUpdate: true });
    if (!current || FINAL_STATUSES.includes(current.status)) return null;
    // A job the execution no longer points at (superseded by a retry or a continuation): nothing to do.
    if (current.jobId && current.jobId !== job.id) return null;
    await markProcessing(tx, ws, id);
    // A run left 'running' belongs to an attempt that died: it is closed, and the step runs again.
    await failOpenStepRuns(tx, ws, id, { message: 'Interrupted: the worker stopped during this step', code: 'INTERRUPTED' }, ['running']);
    const execution = (await findExecution(tx, ws, id))!;
    const workflow = (await findWorkflow(tx, ws, execution.workflowId))!;
    const version = (await findVersion(tx, ws, execution.versionId))!;
    return { execution, workflow, definition: version.definition, runs: await listStepRuns(tx, ws, id) };
  });
}

/** The run stops here: the job ends (a delay or a retry re-enqueued it, the execution finished, or a cancel won). */
class Halt extends Error {}

/**
 * A program runs an execution's top level through FlowRuntime: the interpreter's loop over the
 * definition (the default), or a compiled module (issue 15's conformance suite runs both through
 * here). Each top-level step checkpoints as before.
 */
export type Program = (rt: FlowRuntime, input: unknown) => Promise<unknown>;

/** The interpreter as a program: the definition's steps in order, skipped as conditions say. */
function interpreted(definition: WorkflowDefinition): Program {
  return async (rt) => {
    const skipped = new Set<string>();
    const scope: Scope = { input: undefined, steps: {} };
    for (const step of definition.steps) {
      if (skipped.has(step.id)) {
        await rt.skip(step);
        continue;
      }
      const output = step.type === 'delay' ? await rt.delay(step, scope) : await rt.step(step, scope);
      if (output !== null && output !== undefined) for (const target of skipTargets(step, output)) skipped.add(target);
    }
    return undefined;
  };
}

export async function runExecution(ctx: WorkflowsContext, job: JobContext<ExecutePayload>): Promise<void> {
  const ws = job.workspaceId;
  if (!ws) throw new PermanentJobError('workflows.execute jobs carry their workspace');
  const loaded = await load(ctx, job, ws);
  if (!loaded) return;
  const { execution, workflow, definition, runs } = loaded;
  const deadline = Date.parse(execution.startedAt!) + execution.timeoutMs;
  const deadlineSignal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  const env: Env = { ctx, job, ws, execution, workflow, secrets: new Set(), signal: AbortSignal.any([job.signal, deadlineSignal]) };
  const id = execution.id;
  const tx = <T>(fn: (t: Tx) => Promise<T>) => ctx.db.withWorkspace(ws, fn);
  const timedOut = (stepId: string | null) => tx((t) => finish(env, t, {
    status: 'timed_out', error: { message: `The execution exceeded its timeout of ${execution.timeoutMs} ms`, code: 'TIMED_OUT', stepId },
  }));

  const outputs: Record<string, unknown> = {};
  let last: unknown = null;

  /** A step the program ruled out: recorded as skipped once (a resumed run finds it done). */
  const skipStep = async (step: StepDefinition): Promise<void> => {
    const prior = runs.filter((r) => r.stepId === step.id);
    if (prior.some((r) => r.status === 'completed' || r.status === 'skipped')) return;
    const attempt = prior.reduce((n, r) => Math.max(n, r.attempt), 0) + 1;
    const isProcessing = await tx(async (t) => {
      if (!(await updateProgress(t, ws, id, { stepsDoneDelta: 1 }))) return false;
      await insertStepRun(t, { workspaceId: ws, executionId: id, stepId: step.id, stepType: step.type, attempt, status: 'skipped' });
      return true;
    });
    if (!isProcessing) throw new Halt();
  };

  /** One top-level step, checkpointed: a completed run answers its stored output; else it runs (or waits, or fails, or halts). */
  const topStep = async (step: StepDefinition, body?: (inner: Scope) => Promise<unknown>): Promise<unknown> => {
    const prior = runs.filter((r) => r.stepId === step.id);
    const done = prior.find((r) => r.status === 'completed' || r.status === 'skipped');
    if (done) {
      if (done.status === 'completed') {
        outputs[step.id] = done.output;
        last = done.output;
      }
      return done.output;
    }
    const attempt = prior.reduce((n, r) => Math.max(n, r.attempt), 0) + 1;
    if (Date.now() >= deadline) {
      await timedOut(step.id);
      throw new Halt();
    }
    const scope: Scope = { input: execution.input, steps: outputs };

    if (step.type === 'delay') {
      const waiting = prior.find((r) => r.status === 'waiting');
      let wakeAt: number;
      if (waiting) {
        wakeAt = Date.parse(waiting.wakeAt!);
      } else {
        try {
          if (step.ms !== undefined) {
            const ms = Number(await resolveValue(step.ms, scope));
            if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) throw new StepError('DELAY_INVALID', `ms is not a number of milliseconds from 0 to ${MAX_DELAY_MS} (366 days): ${ms}`);
            wakeAt = Date.now() + ms;
          } else {
            const until = await resolveValue(step.until, scope);
            // The API's one date-time parser: nothing PostgreSQL can't hold becomes the job's run-at.
            const at = parseDateTime(String(until).slice(0, 100));
            if (!at) throw new StepError('DELAY_INVALID', `until is not an RFC 3339 date-time: ${String(until).slice(0, 100)}`);
            if (at.getTime() > Date.now() + MAX_DELAY_MS) throw new StepError('DELAY_INVALID', `until is more than 366 days away: ${String(until)}`);
            wakeAt = at.getTime();
          }
        } catch (err) {
          await tx(async (t) => {
            const runId = await insertStepRun(t, { workspaceId: ws, executionId: id, stepId: step.id, stepType: step.type, attempt, status: 'running' });
            const error = toError(err, step.id, env.secrets);
            await endStepRun(t, ws, runId, { status: 'failed', error });
            await finish(env, t, { status: 'failed', error });
          });
          throw new Halt();
        }
      }
      if (wakeAt > Date.now()) {
        await tx(async (t) => {
          if (!(await updateProgress(t, ws, id, { currentStep: step.id }))) return;
          if (!waiting) await insertStepRun(t, { workspaceId: ws, executionId: id, stepId: step.id, stepType: step.type, attempt, status: 'waiting', wakeAt: new Date(wakeAt) });
          await continueLater(env, t, new Date(Math.min(wakeAt, deadline)));
        });
        throw new Halt();
      }
      const output = { waitedUntil: new Date(wakeAt).toISOString() };
      const isProcessing = await tx(async (t) => {
        if (!(await updateProgress(t, ws, id, { stepsDoneDelta: 1, currentStep: null }))) return false;
        const runId = waiting?.id ?? await insertStepRun(t, { workspaceId: ws, executionId: id, stepId: step.id, stepType: step.type, attempt, status: 'running' });
        await endStepRun(t, ws, runId, { status: 'completed', output, outputSize: sizeOf(output) });
        return true;
      });
      if (!isProcessing) throw new Halt();
      outputs[step.id] = output;
      last = output;
      return output;
    }

    const runId = await tx(async (t) => {
      if (!(await updateProgress(t, ws, id, { currentStep: step.id }))) return null;
      return insertStepRun(t, { workspaceId: ws, executionId: id, stepId: step.id, stepType: step.type, attempt, status: 'running' });
    });
    if (!runId) throw new Halt(); // cancelled meanwhile

    let output: unknown;
    try {
      output = redact(await executeStep(env, step, { ...scope, steps: { ...outputs } }, 0, body), env.secrets);
      if (sizeOf(output) > MAX_CHECKPOINT_BYTES) throw new StepError('OUTPUT_TOO_LARGE', `The step's output is over ${MAX_CHECKPOINT_BYTES} bytes`);
    } catch (err) {
      const error = toError(err, step.id, env.secrets);
      if (deadlineSignal.aborted || Date.now() >= deadline) {
        await tx(async (t) => {
          await endStepRun(t, ws, runId, { status: 'failed', error: { ...error, code: 'TIMED_OUT' } });
          await finish(env, t, { status: 'timed_out', error: { message: `The execution exceeded its timeout of ${execution.timeoutMs} ms`, code: 'TIMED_OUT', stepId: step.id } });
        });
        throw new Halt();
      }
      if (job.signal.aborted) {
        // Cancelled: the cancel closed the run and the execution. Otherwise (shutdown, lost
        // lease, job timeout) the run stays open and the job's next attempt resumes here.
        throw job.signal.reason ?? err;
      }
      const retry = step.retry;
      await tx(async (t) => {
        await endStepRun(t, ws, runId, { status: 'failed', error });
        const locked = await findExecution(t, ws, id, { forUpdate: true });
        if (locked?.status !== 'processing') return;
        if (retry && attempt < retry.maxAttempts) {
          await updateProgress(t, ws, id, { currentStep: null });
          await continueLater(env, t, new Date(Math.min(Date.now() + (retry.delayMs ?? 1000), deadline)));
        } else {
          await finish(env, t, { status: 'failed', error });
        }
      });
      throw new Halt();
    }
    const isProcessing = await tx(async (t) => {
      if (!(await updateProgress(t, ws, id, { stepsDoneDelta: 1, currentStep: null }))) return false;
      await endStepRun(t, ws, runId, { status: 'completed', output, outputSize: sizeOf(output) });
      return true;
    });
    if (!isProcessing) throw new Halt();
    outputs[step.id] = output;
    last = output;
    return output;
  };

  const rt: FlowRuntime = {
    step: (step) => topStep(step as StepDefinition),
    skip: (step) => skipStep(step as StepDefinition),
    delay: (step) => topStep(step as StepDefinition),
    // A foreach is one checkpoint: its body's steps run inline.
    foreach: (step, _scope, body) => topStep(step as StepDefinition, (inner) => body(inner, inlineRuntime(env, 0))) as Promise<unknown[]>,
    // The output expression is the execution's to evaluate, after the last step (below).
    output: async () => undefined,
  };
  try {
    const program: Program = ctx.programOf?.(execution.versionId) ?? interpreted(definition);
    await program(rt, execution.input);
  } catch (err) {
    if (err instanceof Halt) return;
    throw err;
  }

  let result: unknown = last;
  let outputError: ExecutionError | null = null;
  if (definition.output) {
    try {
      result = redact(await evaluate(definition.output, { input: execution.input, steps: outputs }), env.secrets);
    } catch (err) {
      outputError = { ...toError(err, null, env.secrets), code: 'OUTPUT_FAILED' };
    }
  }
  await tx((t) => finish(env, t, outputError ? { status: 'failed', error: outputError } : { status: 'completed', output: result }));
}

/** The queue's handler: on the last attempt an infrastructure failure still ends the execution. */
export function executionHandler(ctx: WorkflowsContext) {
  return async (job: JobContext<ExecutePayload>): Promise<void> => {
    try {
      await runExecution(ctx, job);
    } catch (err) {
      const isCancelled = job.signal.aborted && String(job.signal.reason ?? '').includes('cancel');
      if (!isCancelled && job.attempt >= job.maxAttempts && job.workspaceId) {
        const ws = job.workspaceId;
        await ctx.db.withWorkspace(ws, async (tx) => {
          const e = await findExecution(tx, ws, job.payload.executionId, { forUpdate: true });
          if (e?.status !== 'processing' && e?.status !== 'pending') return;
          await failOpenStepRuns(tx, ws, e.id, { message: 'Interrupted', code: 'INTERRUPTED' }, ['running']);
          await finishExecution(tx, ws, e.id, { status: 'failed', error: { message: `The execution could not run: ${(err as Error).message}`, code: 'EXECUTION_CRASHED', stepId: e.currentStep } }, ['pending', 'processing']);
        }).catch((e: unknown) => job.log.error({ err: e }, 'could not mark the execution failed'));
      }
      throw err;
    }
  };
}
