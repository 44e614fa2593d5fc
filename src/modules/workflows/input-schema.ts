// Each workflow's input JSON schema (draft 2020-12 subset that Ajv 8 supports, formats included)
// validates every execution's input before the execution exists. Compiled validators are cached
// by the schema's text.
import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import type { DefinitionProblem } from './workflows.types.ts';
import { createTenantAjv } from '../../kernel/tenant-ajv.ts';

// The schema is the tenant's: nothing in it runs longer than linear (RE2 patterns, hashed uniqueItems).
const ajv = createTenantAjv({ validateSchema: true });
const cache = new Map<string, ValidateFunction>();
const CACHE_SIZE = 500;

function compile(schema: unknown): ValidateFunction {
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('base64url');
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(schema as object);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, validate);
  }
  return validate;
}

/** Why this is not a usable JSON schema, or null. */
export function inputSchemaProblem(schema: unknown): string | null {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'must be a JSON schema object';
  try {
    compile(schema);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Problems of an input against a schema (none when there is no schema). */
export function inputProblems(schema: unknown, input: unknown): DefinitionProblem[] {
  if (schema === null || schema === undefined) return [];
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (err) {
    // A schema saved before patterns ran on RE2 may use lookaround: the input cannot be checked.
    return [{ path: 'body.input', message: `cannot be checked: the workflow's input schema is not usable (${(err as Error).message.slice(0, 200)}); fix the schema in a new version` }];
  }
  if (validate(input)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e) => ({
    path: `body.input${e.instancePath.replace(/\//g, '.')}`,
    message: e.message ?? 'is invalid',
  }));
}
