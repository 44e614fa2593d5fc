import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@fastify/type-provider-typebox';
import { createHttpApp } from './app.ts';
import { createLogger } from '../logging.ts';
import { connectDatabase } from '../../main.ts';
import { createTestDatabase, testConfig } from '../../../test/helpers/platform.ts';
import type { Database } from '../db/database.ts';
import { kernelErrors } from '../errors.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let app: Awaited<ReturnType<typeof createHttpApp>>['app'];
let built: Awaited<ReturnType<typeof createHttpApp>>;

before(async () => {
  database = await createTestDatabase();
  db = await connectDatabase(testConfig(), createLogger('silent'), database.url);
  built = await createHttpApp({
    log: createLogger('silent'),
    db,
    version: 'test',
    serveConsole: false,
    metricsToken: 'metrics-token-of-the-test',
    // The kernel only asks; the access module answers in the platform. Here: the test principal holds workspace.read only.
    authorize: (_principal, permission) => permission === 'workspace.read',
    // A fixed principal for the token "good"; anything else is unauthenticated.
    authenticate: async (request) => {
      if (request.headers.authorization === 'Bearer good') {
        return { kind: 'user', userId: '00000000-0000-7000-8000-000000000001', apiKeyId: null, workspaceId: '00000000-0000-7000-8000-000000000002', role: 'viewer', sessionId: null, isPlatformAdmin: false };
      }
      if (request.headers.authorization) throw kernelErrors.create('TOKEN_INVALID');
      return null;
    },
  });
  app = built.app;
  app.post('/api/v1/echo', {
    config: { auth: 'public' },
    schema: { body: Type.Object({ name: Type.String({ minLength: 2 }), count: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }) },
  }, async (request) => request.body);
  app.get('/api/v1/undeclared', async () => ({ leaked: true }));
  app.get('/api/v1/viewer-thing', { config: { permission: 'workspace.read' } }, async () => ({ ok: true }));
  app.get('/api/v1/admin-thing', { config: { permission: 'member.invite' } }, async () => ({ ok: true }));
  app.get('/api/v1/boom', { config: { auth: 'public' } }, async () => {
    throw new Error('secret internal detail: password=hunter2');
  });
  // A statement over the request role's statement_timeout (the real one, shortened for the test).
  app.get('/api/v1/slow', { config: { auth: 'public' } }, async () => {
    const client = await db.app.connect();
    try {
      await client.query(`set statement_timeout = '50ms'`);
      await client.query('select pg_sleep(2)');
    } finally {
      await client.query('reset statement_timeout').catch(() => undefined);
      client.release();
    }
  });
  await app.ready();
});

after(async () => {
  await app.close();
  await db.close();
  await database.drop();
});

test('every response carries a request id; a valid incoming one is kept', async () => {
  const r1 = await app.inject({ method: 'GET', url: '/healthz' });
  assert.match(String(r1.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const r2 = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-abc-12345' } });
  assert.equal(r2.headers['x-request-id'], 'trace-abc-12345');
  const r3 = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
  assert.notEqual(r3.headers['x-request-id'], 'bad id with spaces');
});

test('validation errors are problem+json with a stable code and field paths', async () => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: { name: 'x', count: 0 } });
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.equal(body.status, 400);
  assert.ok(body.requestId);
  assert.ok(Array.isArray(body.errors) && body.errors.length >= 1);
});

test('malformed JSON is a 400, not a 500', async () => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: '{"name":', headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'MALFORMED_JSON');
});

test('unknown routes are problem+json 404', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'ROUTE_NOT_FOUND');
});

test('an API route that declares no access is refused (fail closed)', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/undeclared' });
  assert.equal(res.statusCode, 403);
  assert.equal(res.body.includes('leaked'), false);
});

test('authentication and permissions come from the route config', async () => {
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/viewer-thing' })).json().code, 'UNAUTHENTICATED');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/viewer-thing', headers: { authorization: 'Bearer bad' } })).json().code, 'TOKEN_INVALID');
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/viewer-thing', headers: { authorization: 'Bearer good' } })).statusCode, 200);
  const denied = await app.inject({ method: 'GET', url: '/api/v1/admin-thing', headers: { authorization: 'Bearer good' } });
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().code, 'FORBIDDEN');
});

test('5xx bodies never leak internals', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/boom' });
  assert.equal(res.statusCode, 500);
  assert.equal(res.json().code, 'INTERNAL');
  assert.equal(res.body.includes('hunter2'), false);
});

test('the request role\'s statements and idle transactions are bounded; a timed-out statement is a 503 with Retry-After, not a 500', async () => {
  const { rows } = await db.app.query<{ s: string; i: string }>(`select current_setting('statement_timeout') as s, current_setting('idle_in_transaction_session_timeout') as i`);
  assert.deepEqual(rows[0], { s: '30s', i: '1min' });
  const res = await app.inject({ method: 'GET', url: '/api/v1/slow' });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().code, 'UNAVAILABLE');
  assert.equal(res.headers['retry-after'], '5');
  assert.match(res.json().detail, /took too long/);
});

test('readyz reports database and migrations', async () => {
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ready', database: 'ok', migrations: 'current' });
});

test('metrics: Prometheus text, labelled by route pattern (bounded), with pool gauges', async () => {
  await app.inject({ method: 'GET', url: '/api/v1/nothing-1' });
  await app.inject({ method: 'GET', url: '/api/v1/nothing-2' });
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-of-the-test' } });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /atrium_http_request_duration_seconds_bucket\{.*route="\/healthz".*status="200"/);
  assert.match(res.body, /atrium_db_pool_connections\{pool="app",state="total"\}/);
  assert.equal(res.body.includes('nothing-1'), false, 'raw URLs must not become labels');
});

test('the OpenAPI 3.1 document is served', async () => {
  const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().openapi, '3.1.0');
  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(docs.statusCode, 200);
});

test('metrics are not public: the API\'s port wants the token; their own address serves them alone', async () => {
  for (const authorization of [undefined, 'Bearer wrong-token-of-the-test', 'metrics-token-of-the-test']) {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    assert.equal(res.statusCode, 401, String(authorization));
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.body.includes('atrium_'), false);
  }
  const server = await built.metrics.listen({ host: '127.0.0.1', port: 0 });
  try {
    const address = server.address() as { port: number };
    const scraped = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /atrium_db_pool_connections/);
    assert.equal((await fetch(`http://127.0.0.1:${address.port}/api/v1/openapi.json`)).status, 404, 'nothing else is served there');
  } finally {
    server.close();
  }
});

test('without a token, /metrics is not served on the API\'s port at all', async () => {
  const bare = await createHttpApp({ log: createLogger('silent'), db, version: 'test', serveConsole: false, authenticate: async () => null, authorize: () => false });
  const res = await bare.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer anything-at-all-here' } });
  assert.equal(res.statusCode, 404);
  assert.equal(res.body.includes('atrium_'), false);
  await bare.app.close();
});
