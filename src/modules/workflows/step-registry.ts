// The step types a definition may use. Built in: http, transform, condition, delay, foreach and
// workflow; other modules add theirs (llm, agent, tool…) with `registerStepType`. An unknown type
// is a definition error, so a definition can't be saved with a step nothing can run.
import { parseDateTime } from '../../kernel/http/date-time.ts';
import { Type } from '@fastify/type-provider-typebox';
import type { TObject, TProperties } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';
import { expressionProblem, mappingProblems } from './expressions.ts';
import { httpStepExecutor } from './http-step.ts';
import type { HttpStepDeps } from './http-step.ts';
import type { DefinitionProblem, StepDefinition, StepExecutor } from './workflows.types.ts';

export const STEP_ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';
export const STEP_TYPE_PATTERN = '^[a-z][a-z0-9_.-]{0,63}$';
/** Steps the interpreter runs itself (they checkpoint, re-enqueue or nest). */
export type ControlType = 'condition' | 'delay' | 'foreach' | 'workflow';

export type StepTypeEntry = {
  type: string;
  description: string;
  /** The whole step's schema (common fields + the type's own). */
  schema: TObject;
  validate?: (step: StepDefinition, path: string) => DefinitionProblem[];
  control?: ControlType;
  execute?: StepExecutor['execute'];
};

const StepId = Type.String({ pattern: STEP_ID_PATTERN, description: 'Unique in the definition; expressions read its output as `steps.<id>`' });
const COMMON: TProperties = {
  id: StepId,
  name: Type.Optional(Type.String({ maxLength: 200 })),
  input: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Mapping: `=expression` strings are JSONata over {input, steps, item, index}' })),
  retry: Type.Optional(Type.Object({
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10 }),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
  }, { additionalProperties: false })),
};

function fullSchema(type: string, own: TObject): TObject {
  return Type.Object({ ...COMMON, type: Type.Literal(type), ...own.properties }, { additionalProperties: false, description: (own as { description?: string }).description });
}

const Expression = (description: string) => Type.String({ minLength: 1, maxLength: 10_000, description });

function expressionField(step: StepDefinition, field: string, path: string): DefinitionProblem[] {
  const value = step[field];
  if (typeof value !== 'string') return [];
  const problem = expressionProblem(value);
  return problem ? [{ path: `${path}.${field}`, message: `expression does not parse: ${problem}` }] : [];
}

export function createStepRegistry(http: HttpStepDeps) {
  const entries = new Map<string, StepTypeEntry>();
  const add = (entry: Omit<StepTypeEntry, 'schema'> & { own: TObject }) => {
    const { own, ...rest } = entry;
    entries.set(entry.type, { ...rest, schema: fullSchema(entry.type, own) });
  };

  const httpExecutor = httpStepExecutor(http);
  add({ type: 'http', description: httpExecutor.description, own: httpExecutor.schema as TObject, validate: httpExecutor.validate, execute: httpExecutor.execute });
  add({
    type: 'transform', description: 'Computes a value with a JSONata expression',
    own: Type.Object({ expression: Expression('JSONata; its value is the step\'s output') }),
    validate: (step, path) => expressionField(step, 'expression', path),
    execute: (ctx) => ctx.evaluate(ctx.step.expression as string),
  });
  add({
    type: 'condition', control: 'condition', description: 'Evaluates a JSONata boolean; `then` steps run only when true, `else` steps only when false',
    own: Type.Object({
      expression: Expression('JSONata, read as a boolean'),
      then: Type.Optional(Type.Array(StepId, { maxItems: 100, description: 'Later steps skipped when the expression is false' })),
      else: Type.Optional(Type.Array(StepId, { maxItems: 100, description: 'Later steps skipped when the expression is true' })),
    }),
    validate: (step, path) => expressionField(step, 'expression', path),
  });
  add({
    type: 'delay', control: 'delay', description: 'Waits (without holding a worker) for `ms` or until a date',
    own: Type.Object({
      ms: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 366 * 86_400_000 }), Type.String({ pattern: '^=', maxLength: 10_000 })])),
      until: Type.Optional(Type.String({ maxLength: 10_000, description: 'ISO date-time, or `=expression` giving one' })),
    }),
    validate: (step, path) => {
      const problems = [...mappingProblems(step.ms, `${path}.ms`), ...mappingProblems(step.until, `${path}.until`)];
      if ((step.ms === undefined) === (step.until === undefined)) problems.push({ path, message: 'a delay needs exactly one of ms or until' });
      if (typeof step.until === 'string' && !step.until.startsWith('=') && parseDateTime(step.until) === null) problems.push({ path: `${path}.until`, message: 'is not an RFC 3339 date-time (e.g. 2026-12-24T09:00:00Z)' });
      return problems;
    },
  });
  add({
    type: 'foreach', control: 'foreach', description: 'Runs its steps once per item of a list; the output is the list of each item\'s last step output',
    own: Type.Object({
      items: Expression('JSONata giving an array (at most 1000 items)'),
      steps: Type.Array(Type.Object({ id: StepId, type: Type.String() }, { additionalProperties: true }), { minItems: 1, maxItems: 50 }),
    }),
    validate: (step, path) => expressionField(step, 'items', path),
  });
  add({
    type: 'workflow', control: 'workflow', description: 'Runs another deployed workflow of the workspace inside this execution (its `input` is the sub-workflow\'s input)',
    own: Type.Object({ workflowId: Type.String({ format: 'uuid' }) }),
  });

  return {
    get(type: string): StepTypeEntry | undefined {
      return entries.get(type);
    },
    list(): StepTypeEntry[] {
      return [...entries.values()];
    },
    register(type: string, executor: StepExecutor): void {
      if (!new RegExp(STEP_TYPE_PATTERN).test(type)) throw new Error(`Step type "${type}" must match ${STEP_TYPE_PATTERN}`);
      if (entries.has(type)) throw new Error(`Step type "${type}" is already registered`);
      if ((executor.schema as { type?: unknown }).type !== 'object') throw new Error(`Step type "${type}": its schema must be a Type.Object of the step's own fields`);
      add({ type, description: executor.description, own: executor.schema as TObject, validate: executor.validate, execute: executor.execute });
    },
    /** Problems of one step (schema, expressions, the type's own rules). */
    checkStep(step: StepDefinition, path: string): DefinitionProblem[] {
      const entry = entries.get(step.type);
      if (!entry) return [{ path: `${path}.type`, message: `unknown step type "${step.type}" (known: ${[...entries.keys()].join(', ')})` }];
      if (!Value.Check(entry.schema, step)) {
        return [...Value.Errors(entry.schema, step)]
          .filter((e) => e.keyword !== 'boolean')
          .slice(0, 10)
          .map((e) => ({ path: `${path}${e.instancePath.replace(/\//g, '.')}`, message: e.message }));
      }
      return [...mappingProblems(step.input, `${path}.input`), ...(entry.validate?.(step, path) ?? [])];
    },
  };
}

export type StepRegistry = ReturnType<typeof createStepRegistry>;
