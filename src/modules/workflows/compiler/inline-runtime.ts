// FlowRuntime on the interpreter's own step functions, inline (no checkpoints): how a compiled
// module runs a foreach body or a sub-workflow, and what the conformance suite runs it with — the
// same executeStep, conditionOutput and forEachItem the interpreter calls, so the two differ in
// control flow only, which is what the compiler produces.
import { evaluate } from '../expressions.ts';
import { executeStep } from '../run-execution.job.ts';
import type { Env } from '../run-execution.job.ts';
import type { StepDefinition } from '../workflows.types.ts';
import type { FlowRuntime } from './runtime.ts';

export function inlineRuntime(env: Env, depth = 0): FlowRuntime {
  return {
    step: (step, scope) => executeStep(env, step as StepDefinition, scope, depth),
    skip: async () => {},
    // Inline, a delay is refused as the interpreter refuses it (DELAY_NOT_ALLOWED).
    delay: (step, scope) => executeStep(env, step as StepDefinition, scope, depth),
    foreach: (step, scope, body) => executeStep(env, step as StepDefinition, scope, depth, body) as Promise<unknown[]>,
    output: (expression, scope) => evaluate(expression, scope),
  };
}
