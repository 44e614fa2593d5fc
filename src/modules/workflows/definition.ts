// A definition is data: `{ steps: [...], output? }`. Checked as a whole before a version is
// stored: every step against its type's schema, unique ids (nested ones included), condition
// targets that exist later in the same list, no delay inside a foreach, expressions that parse.
import { expressionProblem } from './expressions.ts';
import type { StepRegistry } from './step-registry.ts';
import type { DefinitionProblem, StepDefinition, WorkflowDefinition } from './workflows.types.ts';

export const MAX_STEPS = 200;

export type DefinitionCheck = { problems: DefinitionProblem[]; subWorkflowIds: string[] };

function isStep(value: unknown): value is StepDefinition {
  return !!value && typeof value === 'object' && typeof (value as StepDefinition).id === 'string' && typeof (value as StepDefinition).type === 'string';
}

export function checkDefinition(registry: StepRegistry, definition: WorkflowDefinition): DefinitionCheck {
  const problems: DefinitionProblem[] = [];
  const subWorkflowIds = new Set<string>();
  const seen = new Set<string>();
  let count = 0;

  const checkList = (steps: unknown[], path: string, isNested: boolean) => {
    steps.forEach((raw, index) => {
      const at = `${path}.${index}`;
      if (!isStep(raw)) {
        problems.push({ path: at, message: 'a step needs a string id and type' });
        return;
      }
      count++;
      if (seen.has(raw.id)) problems.push({ path: `${at}.id`, message: `duplicate step id "${raw.id}"` });
      seen.add(raw.id);
      problems.push(...registry.checkStep(raw, at));
      if (raw.type === 'delay' && isNested) problems.push({ path: `${at}.type`, message: 'a delay step can only be at the top level of a definition' });
      if (raw.type === 'workflow' && typeof raw.workflowId === 'string') subWorkflowIds.add(raw.workflowId.toLowerCase());
      if (raw.type === 'condition') {
        const later = new Set(steps.slice(index + 1).filter(isStep).map((s) => s.id));
        for (const branch of ['then', 'else'] as const) {
          const targets = raw[branch];
          if (!Array.isArray(targets)) continue;
          targets.forEach((target, i) => {
            if (!later.has(target as string)) problems.push({ path: `${at}.${branch}.${i}`, message: `"${String(target)}" is not a later step of the same list` });
          });
        }
      }
      if (raw.type === 'foreach' && Array.isArray(raw.steps)) checkList(raw.steps, `${at}.steps`, true);
    });
  };

  if (!Array.isArray(definition.steps)) problems.push({ path: 'definition.steps', message: 'must be an array' });
  else checkList(definition.steps, 'definition.steps', false);
  if (count > MAX_STEPS) problems.push({ path: 'definition.steps', message: `at most ${MAX_STEPS} steps in all` });
  if (definition.output !== undefined) {
    const problem = typeof definition.output === 'string' ? expressionProblem(definition.output) : 'must be a JSONata expression';
    if (problem) problems.push({ path: 'definition.output', message: problem });
  }
  return { problems, subWorkflowIds: [...subWorkflowIds] };
}
