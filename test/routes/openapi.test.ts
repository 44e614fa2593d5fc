// The OpenAPI document tells the truth: it is valid OpenAPI 3.1 (checked by a validator made for
// it), every operation documents its error answers as problems, a query parameter with a default
// is not required, and streamed answers are documented as what they are.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

type Schema = { properties?: Record<string, unknown>; required?: string[]; [key: string]: unknown };
type Parameter = { name: string; in: string; required?: boolean; schema?: { default?: unknown } };
type Operation = { parameters?: Parameter[]; responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>; security?: unknown[] };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

let platform: TestPlatform;
let doc: Doc;

before(async () => {
  platform = await startTestPlatform();
  doc = (await platform.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
});
after(async () => {
  await platform.stop();
});

function operations(): Array<[string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]));
}

test('the document is valid OpenAPI 3.1', async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2)?.slice(0, 3000));
});

test('every operation documents its error answers as problem+json', () => {
  const ops = operations();
  assert.ok(ops.length > 100, `${ops.length} operations`);
  for (const [name, op] of ops) {
    const errors = Object.keys(op.responses).filter((s) => /^4/.test(s));
    assert.ok(errors.includes('400'), `${name} documents no 400`);
    const isPublic = Array.isArray(op.security) && op.security.length === 0;
    if (!isPublic) assert.ok(errors.includes('401') && errors.includes('403'), `${name} documents no 401/403`);
    if (name.includes('{')) assert.ok(errors.includes('404'), `${name} has a path parameter but documents no 404`);
    for (const status of errors) {
      const schema = op.responses[status].content?.['application/json']?.schema ?? op.responses[status].content?.['application/problem+json']?.schema;
      assert.ok(schema?.properties && 'code' in schema.properties && 'status' in schema.properties, `${name} ${status} is not documented as a problem`);
    }
  }
});

test('a query parameter with a default is not required', () => {
  for (const [name, op] of operations()) {
    for (const p of op.parameters ?? []) {
      if (p.in === 'query' && p.schema?.default !== undefined) assert.notEqual(p.required, true, `${name}: ${p.name} has a default yet is required`);
    }
  }
});

test('the audit export is documented as CSV or a JSON array, not as a JSON string', () => {
  const ok = doc.paths['/api/v1/audit/export'].get.responses['200'];
  assert.deepEqual(Object.keys(ok.content ?? {}).sort(), ['application/json', 'text/csv']);
  assert.equal(ok.content!['application/json'].schema.type, 'array');
});
