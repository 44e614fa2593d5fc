// JSONata for every expression of a definition. A string value of a mapping that starts with `=`
// is an expression (`"=input.email"`); any other value is taken as it is. Expressions see the
// scope: `input` (the execution's input), `steps.<id>` (earlier outputs), `step` (this step's
// resolved input) and, in a foreach, `item` and `index`.
import jsonata from 'jsonata';
import type { Scope } from './workflows.types.ts';
import { SafeRegExp } from '../../kernel/safe-regexp.ts';

// Bounded: an expression can't loop forever or build a giant sequence (JSONata's own guards), and
// its regex literals ($match(s, /…/)) run on RE2: JSONata's timeout is checked between steps, so a
// backtracking match inside one step would hold the event loop of every workspace (ADR 0018).
const LIMITS = { timeout: 1000, stack: 200, sequence: 100_000, RegexEngine: SafeRegExp as unknown as RegExpConstructor };

export class ExpressionError extends Error {
  override name = 'ExpressionError';
  readonly expression: string;
  constructor(message: string, expression: string) {
    super(message);
    this.expression = expression;
  }
}

/** Why an expression doesn't parse, or null. */
export function expressionProblem(expression: string): string | null {
  try {
    jsonata(expression);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Only JSON leaves JSONata (no functions, no null-prototype quirks, no undefined inside arrays). */
function toJson(value: unknown): unknown {
  if (value === undefined || typeof value === 'function') return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

export async function evaluate(expression: string, scope: Scope): Promise<unknown> {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(expression, LIMITS);
  } catch (err) {
    throw new ExpressionError(`Expression does not parse: ${(err as Error).message}`, expression);
  }
  try {
    return toJson(await compiled.evaluate(scope));
  } catch (err) {
    throw new ExpressionError(`Expression failed: ${(err as Error).message}`, expression);
  }
}

export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('=') && value.length > 1;
}

/** `=expression` strings evaluated, recursively through objects and arrays; `==x` is the literal `=x`. */
export async function resolveValue(value: unknown, scope: Scope): Promise<unknown> {
  if (typeof value === 'string') {
    if (value.startsWith('==')) return value.slice(1);
    return isExpression(value) ? evaluate(value.slice(1), scope) : value;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveValue(v, scope)));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveValue(v, scope)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

/** Every `=expression` inside a value that does not parse, with its path. */
export function mappingProblems(value: unknown, path: string): Array<{ path: string; message: string }> {
  if (typeof value === 'string') {
    if (value.startsWith('==') || !isExpression(value)) return [];
    const problem = expressionProblem(value.slice(1));
    return problem ? [{ path, message: `expression does not parse: ${problem}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => mappingProblems(v, `${path}.${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => mappingProblems(v, `${path}.${k}`));
  return [];
}

const SECRET_REF = /\{\{\s*secrets\.([A-Za-z0-9][A-Za-z0-9_.-]{0,99})\s*\}\}/g;

/** Names of the `{{secrets.NAME}}` references in a value. */
export function secretReferences(value: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(SECRET_REF)) names.add(m[1]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...names];
}

/** `{{secrets.NAME}}` placeholders replaced by the values of `lookup` (server-side only). */
export function fillSecrets(value: unknown, lookup: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return value.replace(SECRET_REF, (_all, name: string) => lookup.get(name) ?? '');
  if (Array.isArray(value)) return value.map((v) => fillSecrets(v, lookup));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillSecrets(v, lookup)]));
  return value;
}

export const REDACTED = '[REDACTED]';

/** Every occurrence of a secret value replaced, in strings and keys, however deep. */
export function redact<T>(value: T, secrets: ReadonlySet<string>): T {
  const values = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (values.length === 0) return value;
  const scrub = (s: string) => values.reduce((acc, secret) => acc.split(secret).join(REDACTED), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
