// Rate limits through the real app (limits per plan set low for this file), and the limiter
// itself on the real database with a clock of its own (a new window without waiting a minute).
// Limits of 8 or less make every lease exactly one token, so the counts below are exact.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createRateLimiter } from './rate-limit.ts';
import type { RateDecision } from './rate-limit.ts';
import { connectDatabase } from '../../main.ts';
import { createLogger } from '../logging.ts';
import { AppError } from '../errors.ts';
import { ConfigError, loadConfig } from '../config.ts';

const LIMITS = { ATRIUM_RATE_LIMIT_DEFAULT: '9', ATRIUM_RATE_LIMIT_FREE: '5', ATRIUM_RATE_LIMIT_PRO: '7' };
const PASSWORD = 'a long enough password';

type Account = { token: string; workspaceId: string; userId: string; email: string };

test('config: 100 per minute by default, per plan, validated with the variable named', () => {
  const base = { ATRIUM_SECRET: 'x'.repeat(40), ATRIUM_DATA_DIR: '.atrium/config-test' };
  assert.deepEqual(loadConfig(base, { loadDotenv: false }).rateLimits, { free: 100, pro: 100, enterprise: 100 });
  assert.deepEqual(loadConfig({ ...base, ATRIUM_RATE_LIMIT_DEFAULT: '300', ATRIUM_RATE_LIMIT_ENTERPRISE: '5000' }, { loadDotenv: false }).rateLimits, { free: 300, pro: 300, enterprise: 5000 });
  for (const [variable, value] of [['ATRIUM_RATE_LIMIT_DEFAULT', 'fast'], ['ATRIUM_RATE_LIMIT_PRO', '0'], ['ATRIUM_RATE_LIMIT_FREE', '-1']]) {
    assert.throws(() => loadConfig({ ...base, [variable]: value }, { loadDotenv: false }), (err: unknown) => err instanceof ConfigError && err.variable === variable);
  }
});

describe('rate limits', () => {
  let platform: TestPlatform;
  let n = 0;

  before(async () => {
    platform = await startTestPlatform(LIMITS);
  });
  after(async () => {
    await platform.stop();
  });

  /** A new user and workspace (signup is public: not counted). */
  async function signup(): Promise<Account> {
    const email = `rl-${++n}-${Date.now()}@example.com`;
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email, password: PASSWORD, name: 'Rate', companyName: `Rate Limited ${n}` } });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    return { token: body.accessToken, workspaceId: body.workspace.id, userId: body.user.id, email };
  }

  function get(url: string, token: string) {
    return platform.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
  }

  /** Set the workspace setting without a request (so nothing is counted). */
  async function setLimitSetting(workspaceId: string, perMinute: number | null) {
    await platform.db.withWorkspace(workspaceId, (tx) => tx.query(
      `insert into workspace_settings (workspace_id, key, value) values ($1, 'rate_limit.per_minute', $2::jsonb)
       on conflict (workspace_id, key) do update set value = excluded.value`, [workspaceId, JSON.stringify(perMinute)]));
  }

  async function setPlan(workspaceId: string, plan: 'free' | 'pro' | 'enterprise') {
    await platform.db.withPlatform((tx) => tx.query('update workspaces set plan = $2 where id = $1', [workspaceId, plan]));
  }

  function assertLimited(res: LightMyRequestResponse, limit: number) {
    assert.equal(res.statusCode, 429, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const body = res.json();
    assert.equal(body.code, 'RATE_LIMITED');
    assert.equal(body.status, 429);
    assert.equal(body.limit, limit);
    assert.equal(res.headers['ratelimit-limit'], String(limit));
    assert.equal(res.headers['ratelimit-remaining'], '0');
    const reset = Number(res.headers['ratelimit-reset']);
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(reset >= 0 && reset <= 60, `RateLimit-Reset ${res.headers['ratelimit-reset']}`);
    assert.ok(retryAfter >= 1 && retryAfter <= 60 && retryAfter === Math.max(1, reset), `Retry-After ${res.headers['retry-after']}`);
    assert.equal(body.retryAfterSeconds, retryAfter);
  }

  test('a workspace limited to 5/minute gets 429 on the 6th request, with the RateLimit-* headers throughout', async () => {
    const a = await signup(); // free plan: 5 per minute in this file
    for (let i = 1; i <= 5; i++) {
      const res = await get('/auth/me', a.token);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['ratelimit-limit'], '5');
      assert.equal(res.headers['ratelimit-remaining'], String(5 - i));
      const reset = Number(res.headers['ratelimit-reset']);
      assert.ok(reset >= 1 && reset <= 60, `RateLimit-Reset ${res.headers['ratelimit-reset']}`);
      assert.equal(res.headers['retry-after'], undefined);
    }
    assertLimited(await get('/auth/me', a.token), 5);
    // The bucket is the workspace's, not the route's or the session's.
    assertLimited(await get('/workspaces/current', a.token), 5);
    const login = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.email, password: PASSWORD } });
    assert.equal(login.statusCode, 200, 'public routes are not counted');
    assert.equal(login.headers['ratelimit-limit'], undefined);
    assertLimited(await get('/auth/me', login.json().accessToken), 5);
    // The shared counter holds exactly the limit.
    const rows = await platform.db.withWorkspace(a.workspaceId, (tx) => tx.query('select kind, granted, per_minute from rate_limit_buckets where workspace_id = $1', [a.workspaceId]));
    assert.deepEqual(rows.rows, [{ kind: 'workspace', granted: 5, per_minute: 5 }]);
  });

  test('unauthenticated requests are neither counted nor given RateLimit headers', async () => {
    const a = await signup();
    for (let i = 0; i < 8; i++) {
      const anonymous = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.headers['ratelimit-limit'], undefined);
      const badToken = await get('/auth/me', 'not-a-token');
      assert.equal(badToken.statusCode, 401);
    }
    const res = await get('/auth/me', a.token);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['ratelimit-remaining'], '4');
  });

  test('each API key has its own bucket, apart from the workspace\'s users', async () => {
    const a = await signup();
    const keys: string[] = [];
    for (const name of ['ci', 'etl']) {
      const created = await platform.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: { authorization: `Bearer ${a.token}` }, payload: { name, role: 'viewer' } });
      assert.equal(created.statusCode, 201, created.body);
      keys.push(created.json().key);
    }
    await setLimitSetting(a.workspaceId, 3);
    // The two key creations used 2 of the users' bucket: one request left, then 429.
    assert.equal((await get('/auth/me', a.token)).headers['ratelimit-remaining'], '0');
    assertLimited(await get('/auth/me', a.token), 3);

    for (let i = 1; i <= 3; i++) {
      const res = await get('/auth/me', keys[0]);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['ratelimit-limit'], '3');
      assert.equal(res.headers['ratelimit-remaining'], String(3 - i));
    }
    const refused = await get('/auth/me', keys[0]);
    assertLimited(refused, 3);
    assert.match(refused.json().detail, /this API key/);
    // The other key is untouched by the first one's traffic.
    const other = await get('/auth/me', keys[1]);
    assert.equal(other.statusCode, 200, other.body);
    assert.equal(other.headers['ratelimit-remaining'], '2');

    const rows = await platform.db.withWorkspace(a.workspaceId, (tx) => tx.query<{ kind: string; granted: number }>('select kind, granted from rate_limit_buckets where workspace_id = $1 order by kind, granted', [a.workspaceId]));
    assert.deepEqual(rows.rows, [{ kind: 'api_key', granted: 1 }, { kind: 'api_key', granted: 3 }, { kind: 'workspace', granted: 3 }]);
  });

  test('the limit follows the plan; the workspace setting overrides it downwards, never upwards', async () => {
    const free = await signup();
    assert.equal((await get('/auth/me', free.token)).headers['ratelimit-limit'], '5');

    const pro = await signup();
    await setPlan(pro.workspaceId, 'pro');
    assert.equal((await get('/auth/me', pro.token)).headers['ratelimit-limit'], '7');
    const enterprise = await signup();
    await setPlan(enterprise.workspaceId, 'enterprise');
    assert.equal((await get('/auth/me', enterprise.token)).headers['ratelimit-limit'], '9', 'ATRIUM_RATE_LIMIT_DEFAULT covers plans without their own variable');

    // The setting lowers the pro plan's 7 to 2: the 2nd request of the window is the last.
    await setLimitSetting(pro.workspaceId, 2);
    const second = await get('/auth/me', pro.token);
    assert.equal(second.statusCode, 200);
    assert.deepEqual([second.headers['ratelimit-limit'], second.headers['ratelimit-remaining']], ['2', '0']);
    assertLimited(await get('/auth/me', pro.token), 2);

    // A workspace admin can't lift its own plan's limit.
    await setLimitSetting(free.workspaceId, 1000);
    assert.equal((await get('/auth/me', free.token)).headers['ratelimit-limit'], '5');
  });

  test('the setting is registered with tenancy: validated, readable, and in force from the next lease', async () => {
    const a = await signup();
    const patch = (value: unknown) => platform.app.inject({ method: 'PATCH', url: '/api/v1/workspaces/current', headers: { authorization: `Bearer ${a.token}` }, payload: { settings: { 'rate_limit.per_minute': value } } });
    for (const bad of [0, 'lots', 2.5]) {
      const res = await patch(bad);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'SETTING_INVALID');
    }
    const current = await get('/workspaces/current', a.token);
    assert.equal(current.json().settings['rate_limit.per_minute'], null, 'default: follow the plan');

    const set = await patch(4); // the 5th request of the window (refused patches count too)
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().settings['rate_limit.per_minute'], 4);
    assert.equal(set.headers['ratelimit-remaining'], '0');
    assertLimited(await get('/workspaces/current', a.token), 4);
  });

  test('platform-admin routes are not counted against the admin\'s workspace', async () => {
    const a = await signup();
    await platform.db.withPlatform((tx) => tx.query('update users set is_platform_admin = true where id = $1', [a.userId]));
    const login = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.email, password: PASSWORD } });
    const token = login.json().accessToken;
    for (let i = 0; i < 5; i++) assert.equal((await get('/auth/me', token)).statusCode, 200);
    assertLimited(await get('/auth/me', token), 5);
    const admin = await get('/admin/workspaces', token);
    assert.equal(admin.statusCode, 200, admin.body);
    assert.equal(admin.headers['ratelimit-limit'], undefined);
  });
});

describe('rate limiter on the shared counter', () => {
  let platform: TestPlatform;
  let now = 1_000_000;
  const clock = () => now;

  before(async () => {
    platform = await startTestPlatform(LIMITS);
  });
  after(async () => {
    await platform.stop();
  });

  async function workspaceWithLimit(perMinute: number): Promise<string> {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: `clock-${perMinute}-${Date.now()}@example.com`, password: PASSWORD, name: 'Clock', companyName: `Clock ${perMinute}` } });
    const workspaceId = res.json().workspace.id as string;
    await platform.db.withWorkspace(workspaceId, (tx) => tx.query(
      `update workspace_settings set value = $2::jsonb where workspace_id = $1 and key = 'rate_limit.per_minute'`, [workspaceId, JSON.stringify(perMinute)]));
    return workspaceId;
  }

  // This limiter's own plan limits, high: the workspace setting (which may only lower them) decides.
  const limits = { free: 100_000, pro: 100_000, enterprise: 100_000 };
  const principal = (workspaceId: string) => ({ workspaceId, apiKeyId: null });

  test('a new window resets the count; only the database decides when a window ends', async () => {
    const workspaceId = await workspaceWithLimit(2);
    const limiter = createRateLimiter({ db: platform.db, limits, clock });
    const first: RateDecision[] = [];
    for (let i = 0; i < 3; i++) first.push(await limiter.take(principal(workspaceId)));
    assert.deepEqual(first.map((d) => [d.isAllowed, d.remaining]), [[true, 1], [true, 0], [false, 0]]);
    assert.ok(first[2].resetSeconds > 0 && first[2].resetSeconds <= 60);

    // This process's clock passes the window, but the database's window is still open: refused.
    now += 61_000;
    const early = await limiter.take(principal(workspaceId));
    assert.equal(early.isAllowed, false);

    // The database's window ends (moved back a minute, as if a minute had passed): a new window.
    await platform.db.withPlatform((tx) => tx.query(`update rate_limit_buckets set window_start = window_start - interval '61 seconds' where workspace_id = $1`, [workspaceId]));
    now += 61_000;
    const fresh = await limiter.take(principal(workspaceId));
    assert.deepEqual([fresh.isAllowed, fresh.limit, fresh.remaining], [true, 2, 1]);
    assert.ok(fresh.resetSeconds >= 59 && fresh.resetSeconds <= 60, `reset ${fresh.resetSeconds}`);
    const row = await platform.db.withWorkspace(workspaceId, (tx) => tx.query('select granted from rate_limit_buckets where workspace_id = $1', [workspaceId]));
    assert.equal(row.rows[0].granted, 1);
  });

  test('concurrent requests in one process share one lease at a time and never pass the limit', async () => {
    const workspaceId = await workspaceWithLimit(10);
    const limiter = createRateLimiter({ db: platform.db, limits, clock });
    const decisions = await Promise.all(Array.from({ length: 40 }, () => limiter.take(principal(workspaceId))));
    assert.equal(decisions.filter((d) => d.isAllowed).length, 10);
    const row = await platform.db.withWorkspace(workspaceId, (tx) => tx.query('select granted from rate_limit_buckets where workspace_id = $1', [workspaceId]));
    assert.equal(row.rows[0].granted, 10);
  });

  test('a process that keeps spending leases bigger batches (fewer statements), within the limit', async () => {
    const workspaceId = await workspaceWithLimit(1000);
    const limiter = createRateLimiter({ db: platform.db, limits, clock });
    let allowed = 0;
    for (let i = 0; i < 300; i++) {
      now += 1; // 1,000 requests per second on this clock
      if ((await limiter.take(principal(workspaceId))).isAllowed) allowed++;
    }
    assert.equal(allowed, 300);
    const row = await platform.db.withWorkspace(workspaceId, (tx) => tx.query<{ granted: number }>('select granted from rate_limit_buckets where workspace_id = $1', [workspaceId]));
    // Tokens leased ahead are at most an eighth of what remained at the last lease.
    assert.ok(row.rows[0].granted > 300 && row.rows[0].granted <= 300 + Math.ceil(700 / 8) + 1, `granted ${row.rows[0].granted}`);
  });

  test('the counter rows are tenant rows: a workspace sees and writes only its own', async () => {
    const a = await workspaceWithLimit(3);
    const b = await workspaceWithLimit(4);
    const limiter = createRateLimiter({ db: platform.db, limits, clock });
    await limiter.take(principal(a));
    await limiter.take(principal(b));
    const seenByB = await platform.db.withWorkspace(b, (tx) => tx.query<{ workspace_id: string }>('select workspace_id from rate_limit_buckets'));
    assert.deepEqual(seenByB.rows.map((r) => r.workspace_id), [b]);
    const reset = await platform.db.withWorkspace(b, (tx) => tx.query('update rate_limit_buckets set granted = 0 where workspace_id = $1', [a]));
    assert.equal(reset.rowCount, 0);
    await assert.rejects(platform.db.withWorkspace(b, (tx) => tx.query(
      `insert into rate_limit_buckets (workspace_id, subject_id, kind, window_start, per_minute, granted, last_lease) values ($1, $1, 'workspace', now(), 1, 0, 0)`, [a])), /row-level security/);
    const unbound = await platform.db.withIdentity((tx) => tx.query('select count(*)::int as n from rate_limit_buckets'));
    assert.equal(unbound.rows[0].n, 0);
  });

  test('no shared counter, no admission: a lease that fails is a 503, never a pass', async () => {
    const workspaceId = await workspaceWithLimit(5);
    const db = await connectDatabase(platform.config, createLogger('silent'), platform.ownerUrl);
    await db.close();
    const limiter = createRateLimiter({ db, limits, clock });
    await assert.rejects(async () => limiter.take(principal(workspaceId)), (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE' && err.status === 503);
  });
});
