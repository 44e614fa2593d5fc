// The one interface a compiled workflow calls (issue 15): the control flow is the compiled code's,
// every step's meaning (mappings, JSONata, step types, secrets, errors) the platform's. Copied
// as is next to every compiled module (a build holds its own types: `tsc` checks it alone).
// Types only: nothing here runs.

/** A step of the definition, as stored: `=expression` strings are JSONata over the scope. */
export type StepDefinition = { id: string; type: string; [field: string]: unknown };

/** What expressions see: the execution's input, the outputs of the steps that ran, a foreach's item. */
export type Scope = { input: unknown; steps: Record<string, unknown>; step?: unknown; item?: unknown; index?: number };

export interface FlowRuntime {
  /** Runs a step (any type but delay and foreach) and answers its output; a condition answers `{ result }`. */
  step(step: StepDefinition, scope: Scope): Promise<unknown>;
  /** A step a condition ruled out (recorded as skipped at the top level). */
  skip(step: StepDefinition): Promise<void>;
  /** Waits as the step says (top level only). */
  delay(step: StepDefinition, scope: Scope): Promise<unknown>;
  /**
   * Runs `body` once per item of the step's `items`; answers what each run answered. The body's
   * steps run through the runtime it is given (inline: a foreach body is one checkpoint).
   */
  foreach(step: StepDefinition, scope: Scope, body: (inner: Scope, rt: FlowRuntime) => Promise<unknown>): Promise<unknown[]>;
  /** The definition's output expression over the final scope. */
  output(expression: string, scope: Scope): Promise<unknown>;
}
