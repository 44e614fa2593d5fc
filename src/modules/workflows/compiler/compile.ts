// The workflow compiler (issue 15): a workflow version (definition + input schema) becomes a
// self-contained TypeScript module that runs it with the interpreter's semantics — the same step
// order, the same skips by conditions, foreach bodies as functions, the output expression — and
// calls every step through FlowRuntime (runtime.ts). Deterministic: the same version compiles to
// byte-identical files (keys sorted, no clock, no randomness). Secrets appear by name only
// (`{{secrets.NAME}}`, as the definition holds them); `leaks` checks a build for anything else.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StepDefinition, WorkflowDefinition } from '../workflows.types.ts';

export const COMPILER_VERSION = 1;
const RUNTIME_SOURCE = readFileSync(new URL('./runtime.ts', import.meta.url), 'utf8');

export type CompileInput = {
  workflowId: string; workflowName: string; versionId: string; version: number;
  definition: WorkflowDefinition; inputSchema: unknown;
};
export type Manifest = {
  compiler: number; workflowId: string; workflowName: string; versionId: string; version: number;
  sourceHash: string; steps: number; stepTypes: string[];
};
export type Compiled = { files: Record<string, string>; manifest: Manifest };

/** JSON with keys sorted at every level: the same value always prints the same. */
export function canonicalJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const next = `${indent}  `;
  if (Array.isArray(value)) return value.length ? `[\n${value.map((v) => next + canonicalJson(v, next)).join(',\n')}\n${indent}]` : '[]';
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return keys.length ? `{\n${keys.map((k) => `${next}${JSON.stringify(k)}: ${canonicalJson((value as Record<string, unknown>)[k], next)}`).join(',\n')}\n${indent}}` : '{}';
}

const key = (id: string) => JSON.stringify(id);
/** Text for a comment: one line whatever it holds (U+2028 and U+2029 end a line in JavaScript too), no comment end. */
const commentText = (text: string) => JSON.stringify(text).slice(1, -1).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029').replace(/\*\//g, '*\\/');

type Emit = { constants: string[]; stepTypes: Set<string>; count: number };

/**
 * The code of a list of steps (the top level, or a foreach body) with `scope` in reach. With
 * `trackLast`, it also keeps `last` — the output of the last step that ran — assigned only where
 * a later read can see it (a step that always runs after makes earlier values dead), so the code
 * passes the project's lint rules too.
 */
function compileList(steps: readonly StepDefinition[], path: string[], topLevel: boolean, emit: Emit, indent: string, trackLast = true): string[] {
  const out: string[] = [];
  const conditions: Array<{ id: string; flag: string; then: string[]; else: string[] }> = [];
  // Which steps a condition before them (in this list) may rule out.
  const guarded = steps.map((step, i) => steps.slice(0, i).some((c) => c.type === 'condition'
    && ([...((c.then as string[] | undefined) ?? []), ...((c.else as string[] | undefined) ?? [])]).includes(step.id)));
  const lastAlways = guarded.lastIndexOf(false);
  // The final step always runs: its output is `last`, set once (const). Else a `let`, null until a step runs.
  const finalAlways = lastAlways === steps.length - 1 && lastAlways >= 0;
  if (trackLast && !finalAlways) out.push(`${indent}let last: unknown${lastAlways === -1 ? ' = null' : ''};`);
  for (const [i, step] of steps.entries()) {
    emit.count++;
    emit.stepTypes.add(step.type);
    const here = [...path, step.id];
    // Numbered in the order met (deterministic): ids may hold `_`, so joining them could collide.
    const name = `S${emit.count}_${step.id}`;
    const { steps: inner, ...own } = step;
    emit.constants.push(`/** ${here.join(' › ')} (${step.type})${typeof step.name === 'string' ? `: ${commentText(step.name)}` : ''} */\nconst ${name}: StepDefinition = ${canonicalJson(step.type === 'foreach' ? own : step)};`);
    // Skipped when a condition before it, in this list, went the other way (the interpreter's rule).
    const guards = conditions.flatMap((c) => [
      ...(c.then.includes(step.id) ? [`${c.flag} !== false`] : []),
      ...(c.else.includes(step.id) ? [`${c.flag} !== true`] : []),
    ]);
    let call: string;
    if (step.type === 'foreach') {
      const body = compileList((inner as StepDefinition[]) ?? [], here, false, emit, `${indent}    `);
      call = `await rt.foreach(${name}, scope, async (scope, rt) => {\n${body.join('\n')}\n${indent}    return last;\n${indent}  })`;
    } else if (step.type === 'delay' && topLevel) {
      call = `await rt.delay(${name}, scope)`;
    } else {
      call = `await rt.step(${name}, scope)`;
    }
    const keepsLast = trackLast && i >= lastAlways;
    const run = [`${keepsLast ? (finalAlways ? 'const last = ' : 'last = ') : ''}scope.steps[${key(step.id)}] = ${call};`];
    if (step.type === 'condition') {
      const flag = `c${emit.count}_${step.id}`;
      const result = `(scope.steps[${key(step.id)}] as { result?: unknown }).result === true`;
      // A condition that always runs has a result; one that may be ruled out has none then (null).
      if (guards.length) {
        out.push(`${indent}let ${flag}: boolean | null = null;`);
        run.push(`${flag} = ${result};`);
      } else {
        run.push(`const ${flag}: boolean = ${result};`);
      }
      conditions.push({ id: step.id, flag, then: (step.then as string[] | undefined) ?? [], else: (step.else as string[] | undefined) ?? [] });
    }
    out.push(`${indent}// ${i + 1}. ${step.id} (${step.type})`);
    if (guards.length) {
      out.push(`${indent}if (${guards.join(' && ')}) {`, ...run.map((l) => `${indent}  ${l}`), `${indent}}${topLevel ? ` else {\n${indent}  await rt.skip(${name});\n${indent}}` : ''}`);
    } else {
      out.push(...run.map((l) => `${indent}${l}`));
    }
  }
  return out;
}

export function sourceHashOf(input: Pick<CompileInput, 'definition' | 'inputSchema'>): string {
  return createHash('sha256').update(canonicalJson({ definition: input.definition, inputSchema: input.inputSchema ?? null })).digest('hex');
}

export function compileWorkflow(input: CompileInput): Compiled {
  const emit: Emit = { constants: [], stepTypes: new Set(), count: 0 };
  const output = input.definition.output;
  // With an output expression the last step's output is not the result: no `last` to keep.
  const body = compileList(input.definition.steps, [], true, emit, '  ', !output);
  const manifest: Manifest = {
    compiler: COMPILER_VERSION, workflowId: input.workflowId, workflowName: input.workflowName, versionId: input.versionId, version: input.version,
    sourceHash: sourceHashOf(input), steps: emit.count, stepTypes: [...emit.stepTypes].sort(),
  };
  const flow = [
    `// Generated by Atrium's workflow compiler ${COMPILER_VERSION} from workflow "${commentText(input.workflowName)}"`,
    `// (${commentText(input.workflowId)}), version ${input.version} (${commentText(input.versionId)}); source sha256:${manifest.sourceHash}.`,
    '// Do not edit: each deployed version compiles to a new file. The steps run through FlowRuntime.',
    "import type { FlowRuntime, Scope, StepDefinition } from './runtime.ts';",
    '',
    `export const inputSchema: unknown = ${canonicalJson(input.inputSchema ?? null)};`,
    '',
    ...emit.constants.flatMap((c) => [c, '']),
    'export default async function run(rt: FlowRuntime, input: unknown): Promise<unknown> {',
    '  const scope: Scope = { input, steps: {} };',
    ...body,
    output ? `  return rt.output(${JSON.stringify(output)}, scope);` : '  return last;',
    '}',
    '',
  ].join('\n');
  return {
    files: { 'flow.ts': flow, 'manifest.json': `${canonicalJson(manifest)}\n`, 'runtime.ts': RUNTIME_SOURCE, 'package.json': '{\n  "private": true,\n  "type": "module"\n}\n' },
    manifest,
  };
}

/**
 * What must never be in a build (brief 001's tenant-guard rule): a secret's value of any
 * workspace, another workspace's id. Values shorter than 4 characters are not looked for (they
 * would match anything), as the interpreter's redaction does.
 */
export function leaks(files: Record<string, string>, forbidden: { secretValues: Iterable<string>; otherWorkspaceIds: Iterable<string> }): string[] {
  const found: string[] = [];
  const text = Object.entries(files);
  for (const value of forbidden.secretValues) {
    if (value.length < 4) continue;
    for (const [name, content] of text) if (content.includes(value)) found.push(`${name}: a secret's value`);
  }
  for (const id of forbidden.otherWorkspaceIds) {
    for (const [name, content] of text) if (content.toLowerCase().includes(id.toLowerCase())) found.push(`${name}: another workspace's id (${id})`);
  }
  return [...new Set(found)];
}
