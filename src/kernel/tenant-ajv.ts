// An Ajv for schemas written by tenants (a workflow's input schema) or by servers they name (an
// external MCP tool's): nothing in it may run longer than linear in the input, since every
// workspace shares the event loop. Patterns run on RE2 (ADR 0018); `uniqueItems` compares the
// items' canonical JSON in a map (Ajv's own compares every pair: 20,000 objects held the loop for
// 9 s, a 1 MB body for minutes).
import { Ajv } from 'ajv';
import type { ErrorObject, Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { safeRegExp } from './safe-regexp.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** JSON with sorted keys: equal JSON values (as JSON Schema defines equality) give equal strings. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

type Validate = ((schema: boolean, data: unknown[]) => boolean) & { errors?: Array<Partial<ErrorObject>> };

export function createTenantAjv(options: Options = {}): Ajv {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, ...options, code: { ...options.code, regExp: safeRegExp } }));
  ajv.removeKeyword('uniqueItems');
  const uniqueItems: Validate = (schema, data) => {
    if (!schema) return true;
    const seen = new Map<string, number>();
    for (let i = 0; i < data.length; i++) {
      const key = canonical(data[i]);
      const j = seen.get(key);
      if (j !== undefined) {
        uniqueItems.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, params: { i, j } }];
        return false;
      }
      seen.set(key, i);
    }
    return true;
  };
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: uniqueItems });
  return ajv;
}
