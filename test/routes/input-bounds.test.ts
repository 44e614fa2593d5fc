// Every number a client sends is bounded by its schema (cursors, limits, offsets, amounts): an
// unbounded integer reaches SQL as an int4 or bigint overflow (a 500). Checked over every
// operation of the OpenAPI document, parameters and bodies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

type Schema = Record<string, unknown>;
let platform: TestPlatform;
let doc: { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; schema: Schema }>; requestBody?: { content?: Record<string, { schema: Schema }> } }>> };

before(async () => {
  platform = await startTestPlatform();
  doc = (await platform.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
});
after(async () => {
  await platform.stop();
});

function unboundedNumbers(schema: unknown, path: string, out: string[]): void {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Schema;
  if (s.type === 'integer' || s.type === 'number' || (Array.isArray(s.type) && (s.type.includes('integer') || s.type.includes('number')))) {
    const hasMin = s.minimum !== undefined || s.exclusiveMinimum !== undefined;
    const hasMax = s.maximum !== undefined || s.exclusiveMaximum !== undefined;
    if (!hasMin || !hasMax) out.push(`${path} (${hasMin ? '' : 'no minimum '}${hasMax ? '' : 'no maximum'})`.replace(' )', ')'));
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [name, prop] of Object.entries(value)) unboundedNumbers(prop, `${path}.${name}`, out);
    } else if (key === 'items' || key === 'additionalProperties') unboundedNumbers(value, `${path}[]`, out);
    else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') (value as unknown[]).forEach((v) => unboundedNumbers(v, path, out));
  }
}

test('every integer and number in parameters and bodies has a minimum and a maximum', () => {
  const found: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) unboundedNumbers(p.schema, `${name} ${p.in}.${p.name}`, found);
      unboundedNumbers(op.requestBody?.content?.['application/json']?.schema, `${name} body`, found);
    }
  }
  assert.deepEqual(found, []);
});
