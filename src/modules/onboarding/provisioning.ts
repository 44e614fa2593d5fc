// Onboarding as a pipeline of named provisioning steps. Every step runs in the one signup
// transaction (bound to the new workspace), so its database writes commit or roll back with
// the others; `compensate` undoes what a step did OUTSIDE the database (a git branch, a
// secrets namespace, a file). On any failure, including the commit, the completed steps are
// compensated in reverse order and the error names the step that failed.
// Later issues add steps with `registerProvisioningStep()` without touching the others.
import type { Tx } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { User } from '../identity/index.ts';
import type { Workspace } from '../tenancy/index.ts';
import type { AuditContext } from '../audit/index.ts';

export type SignupInput = { email: string; name: string; companyName: string; passwordHash: string };

export type ProvisioningContext = {
  readonly input: SignupInput;
  /** The new workspace's id: the transaction is bound to it before the row exists. */
  readonly workspaceId: string;
  readonly log: Logger;
  /** Who asks (the signup request); the audit step records the new user as the actor. */
  readonly audit?: AuditContext;
  /** Set by the core steps `user` and `workspace`; later steps read them. */
  user?: User;
  workspace?: Workspace;
  /** What a step's compensation needs to know (e.g. the id of what it created outside the database). */
  readonly state: Map<string, unknown>;
};

export type ProvisioningStep = {
  name: string;
  run(ctx: ProvisioningContext, tx: Tx): Promise<void>;
  compensate?(ctx: ProvisioningContext): Promise<void>;
};

/** A step failed (or the commit did): `step` names it, `cause` is the original error. */
export class ProvisioningStepError extends Error {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`Provisioning step "${step}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ProvisioningStepError';
    this.step = step;
  }
}

export function createProvisioningPipeline(initial: readonly ProvisioningStep[] = []) {
  const steps: ProvisioningStep[] = [];

  /** Add a step (at the end, or before a named one); returns a function that removes it. */
  function registerProvisioningStep(step: ProvisioningStep, options: { before?: string } = {}): () => void {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(step.name)) throw new Error(`Provisioning step name "${step.name}" must be kebab-case`);
    if (steps.some((s) => s.name === step.name)) throw new Error(`Provisioning step "${step.name}" is already registered`);
    const at = options.before === undefined ? -1 : steps.findIndex((s) => s.name === options.before);
    if (options.before !== undefined && at < 0) throw new Error(`No provisioning step named "${options.before}"`);
    if (at < 0) steps.push(step);
    else steps.splice(at, 0, step);
    return () => {
      const i = steps.indexOf(step);
      if (i >= 0) steps.splice(i, 1);
    };
  }

  for (const s of initial) registerProvisioningStep(s);

  async function compensate(ctx: ProvisioningContext, completed: ProvisioningStep[]): Promise<void> {
    for (const step of [...completed].reverse()) {
      if (!step.compensate) continue;
      try {
        await step.compensate(ctx);
      } catch (err) {
        // Keep going: one failed compensation must not leave the others undone.
        ctx.log.error({ err, step: step.name }, `compensation of provisioning step "${step.name}" failed`);
      }
    }
  }

  return {
    registerProvisioningStep,
    stepNames(): string[] {
      return steps.map((s) => s.name);
    },
    /**
     * Run every step in one transaction opened by `transaction`, then `finish` (still inside
     * it, e.g. to open the first session). Throws ProvisioningStepError after compensating.
     */
    async execute<T>(
      ctx: ProvisioningContext,
      transaction: (fn: (tx: Tx) => Promise<T>) => Promise<T>,
      finish: (ctx: ProvisioningContext, tx: Tx) => Promise<T>,
    ): Promise<T> {
      const completed: ProvisioningStep[] = [];
      const snapshot = [...steps];
      let current = 'begin';
      try {
        return await transaction(async (tx) => {
          for (const step of snapshot) {
            current = step.name;
            await step.run(ctx, tx);
            completed.push(step);
          }
          current = 'finish';
          const result = await finish(ctx, tx);
          current = 'commit';
          return result;
        });
      } catch (err) {
        await compensate(ctx, completed);
        throw new ProvisioningStepError(current, err);
      }
    },
  };
}

export type ProvisioningPipeline = ReturnType<typeof createProvisioningPipeline>;
