// API logs through the real app: a row per API request (bodies only on errors, redacted; no
// workspace for public routes), the workspace's own listing with filters and cursor pages,
// isolation between workspaces, and access (owners and admins only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { ApiLog } from './index.ts';

type Tenant = { userId: string; workspaceId: string; token: string };

describe('api logs', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  let memberOfA: string;

  before(async () => {
    platform = await startTestPlatform();
    a = await signup('owner@a-logs.test', 'Logs A');
    b = await signup('owner@b-logs.test', 'Logs B');
    const member = await platform.db.withPlatform(async (tx) => {
      const u = await tx.query<{ id: string }>(`insert into users (email, name) values ('member@a-logs.test', 'Member') returning id`);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'member')`, [a.workspaceId, u.rows[0].id]);
      return u.rows[0].id;
    });
    const pair = await platform.db.withWorkspace(a.workspaceId, (tx) => platform.identity.sessions.openSession(tx, { userId: member, workspaceId: a.workspaceId, role: 'member', isPlatformAdmin: false }));
    memberOfA = pair.accessToken;
  });
  after(async () => {
    await platform.stop();
  });

  async function signup(email: string, companyName: string): Promise<Tenant> {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email, password: 'a long enough password', name: 'Owner', companyName } });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    return { userId: body.user.id, workspaceId: body.workspace.id, token: body.accessToken };
  }

  function call(method: 'GET' | 'POST' | 'PUT', url: string, token: string | null, payload?: Record<string, unknown>) {
    return platform.app.inject({ method, url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });
  }

  /** Rows of a request id, on the platform path (after the buffer is written). */
  async function rowsOf(requestId: string) {
    await platform.apiLogs.flush();
    return platform.db.withPlatform(async (tx) => (await tx.query<{
      workspace_id: string | null; endpoint: string; method: string; status: number; error_code: string | null; actor_type: string | null; actor_id: string | null;
      request_body: Record<string, unknown> | null; response_body: Record<string, unknown> | null; duration_ms: number;
    }>('select * from api_logs where request_id = $1', [requestId])).rows);
  }

  async function listAs(token: string, query = ''): Promise<{ status: number; data: ApiLog[]; nextCursor: string | null }> {
    await platform.apiLogs.flush();
    const res = await call('GET', `/api-logs${query}`, token);
    const body = res.json();
    return { status: res.statusCode, data: body.data, nextCursor: body.nextCursor };
  }

  test('a successful request: its workspace, route pattern, actor; no bodies', async () => {
    const res = await call('GET', '/members', a.token);
    assert.equal(res.statusCode, 200);
    const [row] = await rowsOf(res.headers['x-request-id'] as string);
    assert.ok(row, 'a row for the request');
    assert.equal(row.workspace_id, a.workspaceId);
    assert.equal(row.endpoint, '/api/v1/members');
    assert.equal(row.method, 'GET');
    assert.equal(row.status, 200);
    assert.equal(row.actor_type, 'user');
    assert.equal(row.actor_id, a.userId);
    assert.equal(row.error_code, null);
    assert.equal(row.request_body, null);
    assert.equal(row.response_body, null);
    assert.ok(row.duration_ms >= 0);
  });

  test('a failed request keeps its bodies, redacted, and its error code', async () => {
    const res = await call('POST', '/webhook-endpoints', a.token, {
      name: '', value: 'the-secret-value-123', description: 'kept', password: 'hunter2-password', apiKey: 'atr_live_key_999', nested: { authorization: 'Bearer abc.def', token: 'tok-456', note: 'visible' },
    });
    assert.equal(res.statusCode, 400, res.body);
    const [row] = await rowsOf(res.headers['x-request-id'] as string);
    assert.equal(row.workspace_id, a.workspaceId);
    assert.equal(row.endpoint, '/api/v1/webhook-endpoints');
    assert.equal(row.error_code, 'VALIDATION_FAILED');
    assert.deepEqual(row.request_body, {
      name: '', value: '[redacted]', description: 'kept', password: '[redacted]', apiKey: '[redacted]', nested: { authorization: '[redacted]', token: '[redacted]', note: 'visible' }, isEnabled: true, isOrdered: false, // defaults filled in by validation
    });
    assert.equal(row.response_body?.code, 'VALIDATION_FAILED');
    const stored = JSON.stringify(row);
    for (const secret of ['the-secret-value-123', 'hunter2-password', 'atr_live_key_999', 'abc.def', 'tok-456']) assert.ok(!stored.includes(secret), `${secret} must not be stored`);
  });

  test('the vault\'s write route keeps no request body: a value under an unexpected key is not a leak', async () => {
    const res = await call('PUT', '/secrets/not%20a%20valid%20name', a.token, { value: 'the-secret-value-456', extra: 'the-secret-value-456' });
    assert.equal(res.statusCode, 400, res.body);
    const [row] = await rowsOf(res.headers['x-request-id'] as string);
    assert.equal(row.endpoint, '/api/v1/secrets/:name');
    assert.deepEqual(row.request_body, { withheld: 'this route carries secret values' });
    assert.ok(!JSON.stringify(row).includes('the-secret-value-456'));
  });

  test('a request without a workspace (failed login) is logged with none, its password redacted', async () => {
    const res = await call('POST', '/auth/login', null, { email: 'owner@a-logs.test', password: 'wrong password here' });
    assert.equal(res.statusCode, 401, res.body);
    const [row] = await rowsOf(res.headers['x-request-id'] as string);
    assert.equal(row.workspace_id, null);
    assert.equal(row.actor_type, null);
    assert.equal(row.endpoint, '/api/v1/auth/login');
    assert.equal(row.request_body?.password, '[redacted]');
    assert.equal(row.request_body?.email, 'owner@a-logs.test');
    assert.ok(row.error_code);
  });

  test('unmatched API paths keep their path, without the query string', async () => {
    const res = await call('GET', '/no-such-route?token=abc', a.token);
    assert.equal(res.statusCode, 404);
    const [row] = await rowsOf(res.headers['x-request-id'] as string);
    assert.equal(row.endpoint, '/api/v1/no-such-route');
    assert.equal(row.workspace_id, null, 'no route, no authentication: no workspace');
  });

  test('console files, health and metrics are not logged', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await rowsOf(res.headers['x-request-id'] as string), []);
  });

  test('GET /api-logs: the workspace\'s own rows only, newest first', async () => {
    await call('GET', '/api-keys', b.token);
    const ofA = await listAs(a.token, '?limit=200');
    assert.equal(ofA.status, 200);
    assert.ok(ofA.data.length >= 2);
    const ofB = await listAs(b.token, '?limit=200');
    assert.ok(ofB.data.some((r) => r.endpoint === '/api/v1/api-keys'));
    const idsOfA = new Set(ofA.data.map((r) => r.id));
    assert.ok(ofB.data.every((r) => !idsOfA.has(r.id)), 'B never sees A\'s rows');
    assert.ok(!JSON.stringify(ofB.data).includes(a.userId), 'nothing of A in B\'s logs');
    assert.ok(ofA.data.every((r) => r.actorId === null || r.actorId === a.userId));
    assert.ok(!ofA.data.some((r) => r.endpoint === '/api/v1/auth/login'), 'requests without a workspace are not listed');
    const times = ofA.data.map((r) => r.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  test('filters: status class, method, endpoint (exact and prefix), time range', async () => {
    const errors = await listAs(a.token, '?statusClass=4xx');
    assert.ok(errors.data.length >= 1);
    assert.ok(errors.data.every((r) => r.status >= 400 && r.status < 500));
    assert.ok(errors.data.some((r) => r.errorCode === 'VALIDATION_FAILED' && (r.requestBody as Record<string, unknown>).password === '[redacted]'));
    const puts = await listAs(a.token, '?method=PUT');
    assert.ok(puts.data.length >= 1 && puts.data.every((r) => r.method === 'PUT'));
    const exact = await listAs(a.token, `?endpoint=${encodeURIComponent('/api/v1/members')}`);
    assert.ok(exact.data.length >= 1 && exact.data.every((r) => r.endpoint === '/api/v1/members'));
    const prefix = await listAs(a.token, `?endpoint=${encodeURIComponent('/api/v1/secrets*')}`);
    assert.ok(prefix.data.length >= 1 && prefix.data.every((r) => r.endpoint.startsWith('/api/v1/secrets')));
    const future = await listAs(a.token, `?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    assert.deepEqual(future.data, []);
    const ok = await listAs(a.token, '?hasError=false');
    assert.ok(ok.data.length >= 1 && ok.data.every((r) => r.status < 400 && r.requestBody === null && r.responseBody === null));
  });

  test('cursor pages: no overlap, no gap, then the end', async () => {
    for (let i = 0; i < 5; i++) await call('GET', '/members', a.token);
    const all = await listAs(a.token, '?limit=200');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listAs(a.token, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.data.length <= 3);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    // Rows logged while paging (the listing calls themselves) are newer than the first page: the
    // pages cover exactly what existed when paging began, plus those newer rows on page one.
    const expected = all.data.map((r) => r.id);
    assert.deepEqual(seen.filter((id) => expected.includes(id)), expected);
    assert.equal(new Set(seen).size, seen.length, 'no row twice');
    const bad = await call('GET', '/api-logs?cursor=not-a-cursor', a.token);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'API_LOG_CURSOR_INVALID');
    const badRange = await call('GET', `/api-logs?from=${encodeURIComponent('2030-01-02T00:00:00Z')}&to=${encodeURIComponent('2030-01-01T00:00:00Z')}`, a.token);
    assert.equal(badRange.statusCode, 400);
  });

  test('owners and admins only: a member is refused, unauthenticated is 401', async () => {
    const res = await call('GET', '/api-logs', memberOfA);
    assert.equal(res.statusCode, 403);
    assert.equal((await call('GET', '/api-logs', null)).statusCode, 401);
  });

  test('the request role can read only its bound workspace\'s rows and write none', async () => {
    const visible = await platform.db.withWorkspace(b.workspaceId, async (tx) => (await tx.query<{ workspace_id: string | null }>('select workspace_id from api_logs')).rows);
    assert.ok(visible.length > 0);
    assert.ok(visible.every((r) => r.workspace_id === b.workspaceId));
    await assert.rejects(platform.db.withWorkspace(b.workspaceId, (tx) => tx.query(
      `insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms) values (gen_random_uuid(), $1, now(), 'GET', '/x', 200, 1)`, [b.workspaceId])), /permission denied/);
  });
});
