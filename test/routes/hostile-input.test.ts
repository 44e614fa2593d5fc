// Each failure the hardening issue reported, reproduced on the real platform: every one of these
// was a 500, a silent change of the input, or an answer outside the problem format. The fuzz
// suite (test/fuzz) covers the classes; this file pins the cases that were seen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { createPlatformAdminSession, createTenant } from '../helpers/tenants.ts';
import type { Tenant } from '../helpers/tenants.ts';

describe('inputs that used to reach a 5xx', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let admin: { token: string };
  let workflowId: string;

  before(async () => {
    platform = await startTestPlatform();
    a = await createTenant(platform, 'hostile-a');
    admin = await createPlatformAdminSession(platform, 'hostile-admin@example.com', 'Hostile Admin');
    const created = await call('POST', '/workflows', a.tokens.owner, { name: 'Versions', definition: { steps: [{ id: 't', type: 'transform', expression: '1' }] } });
    workflowId = created.json().id;
  });
  after(async () => {
    await platform.stop();
  });

  function call(method: string, url: string, token: string | null, payload?: unknown) {
    return platform.app.inject({
      method: method as 'GET', url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } } : {}),
    });
  }

  function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(JSON.parse(res.body).code, code, res.body);
  }

  test('a NUL in text fields, without a token too: login, signup, requests, tickets, workflow names', async () => {
    assertProblem(await call('POST', '/auth/login', null, { email: 'a\u0000@example.com', password: 'whatever password' }), 400, 'INVALID_TEXT');
    assertProblem(await call('POST', '/onboard/signup', null, { email: 'nul@example.com', password: 'correct horse battery', name: 'N\u0000', companyName: 'Acme' }), 400, 'INVALID_TEXT');
    assertProblem(await call('POST', '/requests', a.tokens.member, { title: 'T\u0000', frequency: 'once' }), 400, 'INVALID_TEXT');
    assertProblem(await call('POST', '/tickets', a.tokens.member, { subject: 'S', description: 'D\u0000' }), 400, 'INVALID_TEXT');
    assertProblem(await call('POST', '/workflows', a.tokens.owner, { name: 'W\u0000' }), 400, 'INVALID_TEXT');
    assertProblem(await call('GET', '/api-logs?endpoint=/x%00', a.tokens.owner), 400, 'INVALID_TEXT');
    assertProblem(await call('GET', '/audit/events?targetId=%00', a.tokens.owner), 400, 'INVALID_TEXT');
  });

  test('lone surrogates and invalid UTF-8 are refused, not stored as replacement characters with a 201', async () => {
    assertProblem(await call('POST', '/requests', a.tokens.member, '{"title":"\\ud800","frequency":"once"}'), 400, 'INVALID_TEXT');
    const bytes = await platform.app.inject({
      method: 'POST', url: '/api/v1/requests', headers: { authorization: `Bearer ${a.tokens.member}`, 'content-type': 'application/json' },
      payload: Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","frequency":"once"}')]),
    });
    assertProblem(bytes, 400, 'INVALID_TEXT');
    const stored = await platform.db.withPlatform(async (tx) => (await tx.query(`select 1 from workflow_requests where title like '%\ufffd%'`)).rowCount);
    assert.equal(stored, 0);
  });

  test('date-time filters out of PostgreSQL\'s range are 400 on every route that takes them', async () => {
    const routes: Array<[string, string]> = [['/api-logs', a.tokens.owner], ['/audit/events', a.tokens.owner], ['/admin/audit/events', admin.token], ['/admin/errors', admin.token], ['/admin/workflows/stats', admin.token], ['/audit/export', a.tokens.owner]];
    for (const [route, token] of routes) {
      for (const value of ['2026-01-01T00:00:00%2B16:00', '0000-01-01T00:00:00Z', '2016-12-31T23:59:60Z']) {
        assertProblem(await call('GET', `${route}?from=${value}`, token), 400, 'VALIDATION_FAILED');
      }
    }
  });

  test('an int4 cursor past its range is a 400; an undecodable cursor never reaches SQL', async () => {
    assertProblem(await call('GET', `/workflows/${workflowId}/versions?cursor=2147483648`, a.tokens.owner), 400, 'VALIDATION_FAILED');
    assertProblem(await call('GET', `/workflows/${workflowId}/versions?cursor=1e400`, a.tokens.owner), 400, 'VALIDATION_FAILED');
    const cursor = Buffer.from(JSON.stringify(['+275760-09-13T00:00:00.000Z', '01a20000-0000-7000-8000-000000000000'])).toString('base64url');
    assertProblem(await call('GET', `/api-logs?cursor=${cursor}`, a.tokens.owner), 400, 'API_LOG_CURSOR_INVALID');
    assertProblem(await call('GET', `/audit/events?cursor=${cursor}`, a.tokens.owner), 400, 'AUDIT_CURSOR_INVALID');
  });

  test('JSON tens of thousands of levels deep is a 400 on routes with free-form objects', async () => {
    const deep = `{"input":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    assertProblem(await call('POST', `/workflows/${workflowId}/execute`, a.tokens.owner, deep), 400, 'JSON_TOO_DEEP');
    assertProblem(await call('PATCH', '/workspaces/current', a.tokens.owner, `{"settings":${'['.repeat(20_000)}${']'.repeat(20_000)}}`), 400, 'JSON_TOO_DEEP');
  });

  test('bodies are not coerced: a number as an email is a 400, not a wrong password', async () => {
    const res = await call('POST', '/auth/login', null, { email: 12345, password: 'whatever password' });
    assertProblem(res, 400, 'VALIDATION_FAILED');
    assert.equal(res.json().errors[0].path, 'body.email');
    assertProblem(await call('POST', '/tickets', a.tokens.member, { subject: 12345, description: 'd' }), 400, 'VALIDATION_FAILED');
  });

  test('framework answers are problems: 405 with Allow, 415, 414', async () => {
    const wrong = await call('PUT', '/requests', a.tokens.member);
    assertProblem(wrong, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(wrong.headers.allow, 'GET, HEAD, POST');
    const text = await platform.app.inject({ method: 'POST', url: '/api/v1/requests', headers: { authorization: `Bearer ${a.tokens.member}`, 'content-type': 'text/plain' }, payload: 'hello' });
    assertProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertProblem(await call('GET', `/requests/${'x'.repeat(150)}`, a.tokens.member), 414, 'URI_TOO_LONG');
  });

  test('unknown query parameters are refused on every route, with or without query parameters of its own', async () => {
    assertProblem(await call('GET', '/requests?colour=red', a.tokens.member), 400, 'VALIDATION_FAILED');
    assertProblem(await call('GET', '/auth/me?colour=red', a.tokens.member), 400, 'VALIDATION_FAILED');
  });
});
