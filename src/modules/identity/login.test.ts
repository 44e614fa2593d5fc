// POST /auth/login: credentials, workspace choice and throttling, through the real app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { addMember, bearer, createMember, createUser, createWorkspace, PASSWORD } from './identity.fixtures.ts';

describe('POST /auth/login', () => {
  let platform: TestPlatform;
  before(async () => { platform = await startTestPlatform(); });
  after(async () => { await platform.stop(); });

  function attempt(payload: Record<string, unknown>, ip = '10.0.0.1') {
    return platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress: ip });
  }

  test('right password: a token pair that authenticates, in the first workspace', async () => {
    const user = await createMember(platform, 'admin');
    const res = await attempt({ email: user.email.toUpperCase(), password: PASSWORD });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.mfaRequired, false);
    assert.equal(body.tokenType, 'Bearer');
    assert.equal(body.expiresIn, 900);
    assert.equal(body.workspaceId, user.workspaceId);
    assert.match(body.refreshToken, /^rt_/);
    const me = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.accessToken) });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().user.id, user.id);
    assert.equal(me.json().workspace.id, user.workspaceId);
    assert.equal(me.json().role, 'admin');
    assert.equal(me.json().sessionId, body.sessionId);
  });

  test('wrong password and unknown email get the same answer', async () => {
    const user = await createMember(platform, 'member');
    const wrong = await attempt({ email: user.email, password: 'not the password' }, '10.0.1.1');
    const unknown = await attempt({ email: 'nobody-here@example.com', password: 'not the password' }, '10.0.1.1');
    for (const res of [wrong, unknown]) {
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    assert.deepEqual(strip(wrong.json()), strip(unknown.json()));
    assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');
  });

  test('an account without a password cannot log in', async () => {
    const user = await createUser(platform, { password: null });
    const ws = await createWorkspace(platform);
    await addMember(platform, ws.id, user.id, 'member');
    const res = await attempt({ email: user.email, password: 'anything at all' }, '10.0.2.1');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'INVALID_CREDENTIALS');
  });

  test('a workspace asked for by slug or id; not a member (or not active) → 404; no workspace → 403', async () => {
    const user = await createMember(platform, 'owner');
    const second = await createWorkspace(platform);
    await addMember(platform, second.id, user.id, 'viewer');
    const suspended = await createWorkspace(platform, { status: 'suspended' });
    await addMember(platform, suspended.id, user.id, 'owner');
    const foreign = await createWorkspace(platform);

    const bySlug = await attempt({ email: user.email, password: PASSWORD, workspace: second.slug }, '10.0.3.1');
    assert.equal(bySlug.statusCode, 200, bySlug.body);
    assert.equal(bySlug.json().workspaceId, second.id);
    const byId = await attempt({ email: user.email, password: PASSWORD, workspace: second.id }, '10.0.3.1');
    assert.equal(byId.json().workspaceId, second.id);

    for (const workspace of [foreign.slug, foreign.id, suspended.slug]) {
      const res = await attempt({ email: user.email, password: PASSWORD, workspace }, '10.0.3.1');
      assert.equal(res.statusCode, 404, workspace);
      assert.equal(res.json().code, 'WORKSPACE_NOT_MEMBER');
    }

    const loner = await createUser(platform);
    const none = await attempt({ email: loner.email, password: PASSWORD }, '10.0.3.1');
    assert.equal(none.statusCode, 403);
    assert.equal(none.json().code, 'NO_WORKSPACE');
  });

  test('5 failures from one address lock that email there: 429 with Retry-After, even with the right password', async () => {
    const user = await createMember(platform, 'member');
    for (let i = 1; i <= 5; i++) {
      const res = await attempt({ email: user.email, password: `wrong-${i}` }, '10.0.4.1');
      assert.equal(res.statusCode, 401, `failure ${i}`);
    }
    for (const password of ['wrong-6', PASSWORD]) {
      const res = await attempt({ email: user.email, password }, '10.0.4.1');
      assert.equal(res.statusCode, 429);
      assert.equal(res.json().code, 'LOGIN_THROTTLED');
      assert.match(res.json().detail, /Try again in 15 minutes/);
      const retryAfter = Number(res.headers['retry-after']);
      assert.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${res.headers['retry-after']}`);
    }
    // Keyed on lower(email): another casing is the same key.
    const upper = await attempt({ email: user.email.toUpperCase(), password: PASSWORD }, '10.0.4.1');
    assert.equal(upper.statusCode, 429);
    // Another address is not locked out.
    const elsewhere = await attempt({ email: user.email, password: PASSWORD }, '10.0.4.2');
    assert.equal(elsewhere.statusCode, 200);
    // The lock lives in the database (shared by every process).
    const { rows } = await platform.db.withPlatform((tx) =>
      tx.query<{ locked: boolean }>('select locked_until > now() as locked from login_attempts where email = $1 and ip = $2', [user.email.toLowerCase(), '10.0.4.1']));
    assert.deepEqual(rows, [{ locked: true }]);
  });

  test('a success clears the failures', async () => {
    const user = await createMember(platform, 'member');
    for (let i = 0; i < 4; i++) assert.equal((await attempt({ email: user.email, password: 'wrong' }, '10.0.5.1')).statusCode, 401);
    assert.equal((await attempt({ email: user.email, password: PASSWORD }, '10.0.5.1')).statusCode, 200);
    for (let i = 0; i < 4; i++) assert.equal((await attempt({ email: user.email, password: 'wrong' }, '10.0.5.1')).statusCode, 401);
    assert.equal((await attempt({ email: user.email, password: PASSWORD }, '10.0.5.1')).statusCode, 200);
  });

  test('parallel guesses cannot get past the limit', async () => {
    const user = await createMember(platform, 'member');
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => attempt({ email: user.email, password: `guess-${i}` }, '10.0.6.1')));
    const codes = results.map((r) => r.statusCode).sort();
    assert.equal(codes.filter((c) => c === 401).length, 5, codes.join(','));
    assert.equal(codes.filter((c) => c === 429).length, 3, codes.join(','));
  });

  test('invalid bodies are 400 problems, not 500', async () => {
    for (const payload of [{}, { email: 'a@b.c' }, { email: 'a@b.c', password: '' }, { email: 'a@b.c', password: 'x', extra: 1 }]) {
      const res = await attempt(payload, '10.0.7.1');
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
  });
});
