// Types shared by the workflows module and the step types other modules register.
import type { TSchema } from '@fastify/type-provider-typebox';
import type { Logger } from '../../kernel/logging.ts';
import type { JobActor } from '../../kernel/jobs/index.ts';

export type StepDefinition = {
  id: string;
  type: string;
  name?: string;
  /** Mapping of this step's input: `=expression` strings are JSONata over the scope. */
  input?: Record<string, unknown>;
  retry?: { maxAttempts: number; delayMs?: number };
  [field: string]: unknown;
};

export type WorkflowDefinition = {
  steps: StepDefinition[];
  /** JSONata over the final scope; default: the output of the last step that ran. */
  output?: string;
};

/** What expressions see. */
export type Scope = {
  input: unknown;
  steps: Record<string, unknown>;
  /** This step's resolved `input` mapping. */
  step?: unknown;
  item?: unknown;
  index?: number;
};

export type ExecutionTrigger = 'api' | 'cron' | 'webhook';
export type ExecutionStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'timed_out';
export type WorkflowStatus = 'draft' | 'deployed' | 'archived';

/** What a step executor receives. */
export type StepContext = {
  workspaceId: string;
  workflowId: string;
  executionId: string;
  actor: JobActor | null;
  step: StepDefinition;
  /** The step's `input` mapping, resolved. */
  input: Record<string, unknown>;
  scope: Scope;
  /** `=expression` strings (recursively) evaluated over the scope; other values as they are. */
  resolve(value: unknown): Promise<unknown>;
  evaluate(expression: string): Promise<unknown>;
  /** A secret's value (server-side); it is redacted from every stored output and error. */
  secret(name: string): Promise<string>;
  /** Aborted on cancellation, the execution's timeout or the worker's shutdown. */
  signal: AbortSignal;
  log: Logger;
};

export type DefinitionProblem = { path: string; message: string };

/**
 * A step type (`registerStepType`). The definition's step is checked against `schema` (its own
 * fields; `id`, `type`, `name`, `input` and `retry` are common) and `validate`, then `execute`
 * runs it and returns its output (JSON).
 */
export type StepExecutor = {
  description: string;
  schema: TSchema;
  validate?: (step: StepDefinition, path: string) => DefinitionProblem[];
  execute: (ctx: StepContext) => Promise<unknown>;
};

/** An error a step throws to fail with a stable code (shown in the execution's error). */
export class StepError extends Error {
  override name = 'StepError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export type ExecutionFinishedEvent = {
  type: 'execution.completed' | 'execution.failed';
  workspaceId: string;
  executionId: string;
  workflowId: string;
  status: 'completed' | 'failed' | 'timed_out';
  output?: unknown;
  error?: { message: string; code: string; stepId?: string | null };
  finishedAt: string;
};
