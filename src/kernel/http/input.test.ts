// Hostile input at the edge: every case here was a 500, a silent change of the input, or an
// answer outside the problem format before the checks of input.ts, validation.ts and errors.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Type } from '@fastify/type-provider-typebox';
import { createHttpApp } from './app.ts';
import { createLogger } from '../logging.ts';
import { connectDatabase } from '../../main.ts';
import { createTestDatabase, testConfig } from '../../../test/helpers/platform.ts';
import type { Database } from '../db/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let app: Awaited<ReturnType<typeof createHttpApp>>['app'];
let port: number;

before(async () => {
  database = await createTestDatabase();
  db = await connectDatabase(testConfig(), createLogger('silent'), database.url);
  const built = await createHttpApp({ log: createLogger('silent'), db, version: 'test', serveConsole: false, authenticate: async () => null, authorize: () => false, limits: { bodyLimit: 4096, maxJsonDepth: 8 } });
  app = built.app;
  app.post('/api/v1/things/:name', {
    config: { auth: 'public' },
    schema: {
      params: Type.Object({ name: Type.String({ maxLength: 100 }) }),
      body: Type.Object({
        title: Type.String(), count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })), isOn: Type.Optional(Type.Boolean()),
        note: Type.Optional(Type.Union([Type.String(), Type.Null()])), data: Type.Optional(Type.Unknown()),
      }, { additionalProperties: false }),
    },
  }, async (request) => ({ params: request.params, body: request.body }));
  app.get('/api/v1/things', {
    config: { auth: 'public' },
    schema: {
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }), q: Type.Optional(Type.String({ maxLength: 50 })),
        from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })),
      }),
    },
  }, async (request) => request.query);
  await app.ready();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  port = Number(new URL(address).port);
});

after(async () => {
  await app.close();
  await db.close();
  await database.drop();
});

function assertProblem(r: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string, path?: string) {
  assert.equal(r.statusCode, status, r.body);
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse(r.body);
  assert.equal(problem.code, code, r.body);
  assert.equal(problem.status, status);
  if (path) assert.equal(problem.errors?.[0]?.path, path, r.body);
  return problem;
}

const post = (payload: string | Buffer, headers: Record<string, string> = {}, url = '/api/v1/things/a') =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

describe('text PostgreSQL cannot hold is refused before any handler', () => {
  test('a NUL in a body value, a body key, a nested array, the query and the path', async () => {
    assertProblem(await post(JSON.stringify({ title: 'a\u0000b' })), 400, 'INVALID_TEXT', 'body.title');
    assertProblem(await post(JSON.stringify({ title: 'x', data: { 'k\u0000': 1 } })), 400, 'INVALID_TEXT');
    assertProblem(await post(JSON.stringify({ title: 'x', data: [[1, ['\u0000']]] })), 400, 'INVALID_TEXT', 'body.data.0.1.0');
    assertProblem(await app.inject({ url: '/api/v1/things?q=%00' }), 400, 'INVALID_TEXT', 'querystring.q');
    assertProblem(await post(JSON.stringify({ title: 'x' }), {}, '/api/v1/things/a%00b'), 400, 'INVALID_TEXT', 'params.name');
    // A raw NUL byte in the JSON text (not escaped) is refused too; an escaped backslash before
    // "u0000" is plain text, not a NUL.
    assertProblem(await post(Buffer.from('{"title":"a\u0000b"}')), 400, 'MALFORMED_JSON');
    const literal = await post('{"title":"C:\\\\u0000"}');
    assert.equal(literal.statusCode, 200, literal.body);
    assert.equal(JSON.parse(literal.body).body.title, 'C:\\u0000');
  });

  test('lone surrogates, escaped in JSON or percent-encoded', async () => {
    assertProblem(await post('{"title":"\\ud800"}'), 400, 'INVALID_TEXT', 'body.title');
    assertProblem(await post('{"title":"ok \\udfff end"}'), 400, 'INVALID_TEXT', 'body.title');
    assertProblem(await app.inject({ url: '/api/v1/things?q=%ED%A0%80' }), 400, 'INVALID_TEXT', 'querystring.q');
    // A well-formed pair is text like any other.
    const ok = await post('{"title":"\\ud83d\\ude00"}');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(JSON.parse(ok.body).body.title, '😀');
  });

  test('bytes that are not UTF-8: in the body, the query and the path', async () => {
    assertProblem(await post(Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])), 400, 'INVALID_TEXT', 'body');
    assertProblem(await app.inject({ url: '/api/v1/things?q=%FF' }), 400, 'INVALID_TEXT', 'querystring.q');
    assertProblem(await post('{"title":"x"}', {}, '/api/v1/things/%FF'), 400, 'INVALID_TEXT', 'path');
  });
});

describe('JSON limits', () => {
  test('nesting deeper than the limit is a 400 naming the depth; at the limit it passes', async () => {
    const deep = (n: number) => `{"title":"x","data":${'['.repeat(n)}${']'.repeat(n)}}`;
    const problem = assertProblem(await post(deep(8)), 400, 'JSON_TOO_DEEP');
    assert.equal(problem.maxDepth, 8);
    assert.equal((await post(deep(6))).statusCode, 200);
    // Tens of thousands of levels: refused the same way, no stack overflow anywhere.
    assertProblem(await post(`{"title":"x","data":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`, {}, '/api/v1/things/a'), 413, 'PAYLOAD_TOO_LARGE');
  });

  test('a body over the size limit is a 413 problem; malformed or prototype-polluting JSON a 400', async () => {
    assertProblem(await post(JSON.stringify({ title: 'x'.repeat(5000) })), 413, 'PAYLOAD_TOO_LARGE');
    assertProblem(await post('{"title":'), 400, 'MALFORMED_JSON');
    assertProblem(await post('{"title":"x","__proto__":{"isAdmin":true}}'), 400, 'MALFORMED_JSON');
    assertProblem(await post(''), 400, 'MALFORMED_JSON');
  });
});

describe('bodies keep their JSON types; query strings are text', () => {
  test('no coercion in bodies: a number for a string, a string for a number, null for a boolean', async () => {
    assertProblem(await post(JSON.stringify({ title: 12345 })), 400, 'VALIDATION_FAILED', 'body.title');
    assertProblem(await post(JSON.stringify({ title: 'x', count: '5' })), 400, 'VALIDATION_FAILED', 'body.count');
    assertProblem(await post(JSON.stringify({ title: 'x', isOn: null })), 400, 'VALIDATION_FAILED', 'body.isOn');
    const kept = await post(JSON.stringify({ title: 'x', note: '' }));
    assert.equal(JSON.parse(kept.body).body.note, '', 'an empty string stays an empty string, not null');
  });

  test('query values are coerced from text and bounded; unknown parameters are refused', async () => {
    assert.deepEqual(JSON.parse((await app.inject({ url: '/api/v1/things?limit=5' })).body), { limit: 5 });
    assert.deepEqual(JSON.parse((await app.inject({ url: '/api/v1/things' })).body), { limit: 10 });
    assertProblem(await app.inject({ url: '/api/v1/things?limit=2147483648' }), 400, 'VALIDATION_FAILED', 'querystring.limit');
    assertProblem(await app.inject({ url: '/api/v1/things?limit=1e400' }), 400, 'VALIDATION_FAILED', 'querystring.limit');
    assertProblem(await app.inject({ url: '/api/v1/things?colour=red' }), 400, 'VALIDATION_FAILED');
  });
});

describe('one date-time parser for every filter', () => {
  const at = (q: string) => app.inject({ url: `/api/v1/things?${q}` });
  test('RFC 3339 within PostgreSQL\'s range passes', async () => {
    for (const value of ['2026-12-05T10:00:00Z', '2026-12-05T10:00:00.123456+15:59', '0001-01-01T12:00:00Z', '9999-12-31T00:00:00-15:00', '2024-02-29T00:00:00z']) {
      const r = await at(`from=${encodeURIComponent(value)}`);
      assert.equal(r.statusCode, 200, `${value}: ${r.body}`);
    }
  });
  test('offsets beyond ±15:59, year 0000, leap seconds, impossible days and years past 9999 are 400', async () => {
    for (const value of ['2026-12-05T10:00:00+16:00', '0000-06-01T00:00:00Z', '2016-12-31T23:59:60Z', '2026-02-29T00:00:00Z', '10000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '2026-12-05', 'now', '2026-12-05T24:00:00Z']) {
      assertProblem(await at(`to=${encodeURIComponent(value)}`), 400, 'VALIDATION_FAILED', 'querystring.to');
    }
  });
  test('from not before to is refused, offsets considered', async () => {
    assertProblem(await at('from=2026-12-05T10:00:00Z&to=2026-12-05T09:00:00Z'), 400, 'VALIDATION_FAILED', 'querystring.from');
    assertProblem(await at('from=2026-12-05T10:00:00Z&to=2026-12-05T11:00:00%2B01:00'), 400, 'VALIDATION_FAILED', 'querystring.from');
    assert.equal((await at('from=2026-12-05T10:00:00Z&to=2026-12-05T11:00:01%2B01:00')).statusCode, 200);
  });
});

describe('framework answers are problems too', () => {
  test('a known path with another method: 405 with Allow', async () => {
    const r = await app.inject({ method: 'DELETE', url: '/api/v1/things/a' });
    assertProblem(r, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(r.headers.allow, 'POST');
    const list = await app.inject({ method: 'PUT', url: '/api/v1/things' });
    assertProblem(list, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(list.headers.allow, 'GET, HEAD');
    assertProblem(await app.inject({ method: 'GET', url: '/api/v1/nothing-here' }), 404, 'ROUTE_NOT_FOUND');
  });

  test('a wrong content type: 415', async () => {
    assertProblem(await post('title=x', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertProblem(await post('title=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('a path segment over the router\'s limit: 414', async () => {
    assertProblem(await post('{"title":"x"}', {}, `/api/v1/things/${'a'.repeat(200)}`), 414, 'URI_TOO_LONG');
  });

  test('headers too large and unparseable requests, on a real socket: 431 and 400 problems', async () => {
    const raw = (request: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk) => { answer += chunk.toString('latin1'); });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
    const big = await raw(`GET /api/v1/things HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431 /);
    assert.match(big, /content-type: application\/problem\+json/i);
    assert.equal(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4)).code, 'HEADERS_TOO_LARGE');
    const garbage = await raw('NOT A REQUEST\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4)).code, 'BAD_REQUEST');
  });
});
