// Refresh rotation and reuse, logout, switch, own sessions, password change, /auth/me.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { addMember, bearer, createMember, createWorkspace, login, PASSWORD } from './identity.fixtures.ts';

describe('sessions and tokens', () => {
  let platform: TestPlatform;
  before(async () => { platform = await startTestPlatform(); });
  after(async () => { await platform.stop(); });

  const me = (token: string) => platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  const refresh = (refreshToken: string) => platform.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

  test('refresh rotates: the new pair works, the old refresh token is spent', async () => {
    const user = await createMember(platform, 'member');
    const first = await login(platform, user.email);
    const res = await refresh(first.refreshToken);
    assert.equal(res.statusCode, 200, res.body);
    const second = res.json();
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal(second.sessionId, first.sessionId);
    assert.equal((await me(second.accessToken)).statusCode, 200);
  });

  test('reusing a spent refresh token revokes the whole family: the newest tokens stop working too', async () => {
    const user = await createMember(platform, 'member');
    const first = await login(platform, user.email);
    const second = (await refresh(first.refreshToken)).json();
    assert.equal((await me(second.accessToken)).statusCode, 200);

    const replay = await refresh(first.refreshToken);
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().code, 'REFRESH_TOKEN_REUSED');

    const afterReuse = await refresh(second.refreshToken);
    assert.equal(afterReuse.statusCode, 401);
    assert.equal(afterReuse.json().code, 'REFRESH_TOKEN_INVALID');
    const denied = await me(second.accessToken);
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.json().code, 'TOKEN_INVALID');
  });

  test('an unknown refresh token is 401', async () => {
    const res = await refresh('rt_this-token-was-never-issued');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'REFRESH_TOKEN_INVALID');
  });

  test('logout ends the session: access and refresh tokens are refused', async () => {
    const user = await createMember(platform, 'viewer');
    const tokens = await login(platform, user.email);
    const out = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(tokens.accessToken) });
    assert.equal(out.statusCode, 204);
    assert.equal((await me(tokens.accessToken)).statusCode, 401);
    assert.equal((await refresh(tokens.refreshToken)).statusCode, 401);
    assert.equal((await platform.app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode, 401);
  });

  test('/auth/me: user, workspace, role, permissions and active memberships', async () => {
    const user = await createMember(platform, 'member');
    const other = await createWorkspace(platform, { name: 'Second' });
    await addMember(platform, other.id, user.id, 'admin');
    const gone = await createWorkspace(platform, { status: 'deleted' });
    await addMember(platform, gone.id, user.id, 'owner');
    const tokens = await login(platform, user.email, PASSWORD, user.workspaceId);
    const res = await me(tokens.accessToken);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.user, { id: user.id, email: user.email, name: 'Test User', isPlatformAdmin: false, mfaEnabled: false });
    assert.equal(body.workspace.id, user.workspaceId);
    assert.equal(body.workspace.plan, 'free');
    assert.equal(body.workspace.kind, 'organization');
    assert.equal(body.workspace.parentId, null);
    assert.equal(body.role, 'member');
    assert.ok(body.permissions.includes('member.read'));
    assert.ok(!body.permissions.includes('member.invite'));
    assert.deepEqual(body.memberships.map((m: { workspaceId: string }) => m.workspaceId).sort(), [user.workspaceId, other.id].sort());
    assert.equal(body.memberships.find((m: { workspaceId: string }) => m.workspaceId === other.id).role, 'admin');
    assert.equal(body.principalType, 'user');
    assert.equal(body.sessionId, tokens.sessionId);
    assert.equal((await platform.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode, 401);
  });

  test('switch: to a workspace you belong to (new pair, same session, new role); elsewhere → 404', async () => {
    const user = await createMember(platform, 'owner');
    const other = await createWorkspace(platform);
    await addMember(platform, other.id, user.id, 'viewer');
    const foreign = await createWorkspace(platform);
    const suspended = await createWorkspace(platform, { status: 'suspended' });
    await addMember(platform, suspended.id, user.id, 'owner');
    const tokens = await login(platform, user.email);

    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/switch', headers: bearer(tokens.accessToken), payload: { workspaceId: other.id } });
    assert.equal(res.statusCode, 200, res.body);
    const switched = res.json();
    assert.equal(switched.sessionId, tokens.sessionId);
    assert.equal(switched.workspaceId, other.id);
    const after = (await me(switched.accessToken)).json();
    assert.equal(after.workspace.id, other.id);
    assert.equal(after.role, 'viewer');
    // The new refresh token stays in the new workspace.
    const refreshed = (await refresh(switched.refreshToken)).json();
    assert.equal((await me(refreshed.accessToken)).json().workspace.id, other.id);

    for (const workspaceId of [foreign.id, suspended.id]) {
      const denied = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/switch', headers: bearer(switched.accessToken), payload: { workspaceId } });
      assert.equal(denied.statusCode, 404);
      assert.equal(denied.json().code, 'WORKSPACE_NOT_MEMBER');
    }
  });

  test('own sessions: listed with the current one marked; revoking one ends it; others\' sessions are 404', async () => {
    const user = await createMember(platform, 'member');
    const laptop = await login(platform, user.email);
    const phone = await login(platform, user.email);
    const list = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: { ...bearer(laptop.accessToken), 'user-agent': 'laptop-browser' } });
    assert.equal(list.statusCode, 200);
    const sessions = list.json() as Array<{ id: string; current: boolean; revokedAt: string | null; ip: string }>;
    assert.deepEqual(sessions.map((s) => s.id).sort(), [laptop.sessionId, phone.sessionId].sort());
    assert.deepEqual(sessions.filter((s) => s.current).map((s) => s.id), [laptop.sessionId]);
    assert.equal(sessions[0].ip, '127.0.0.1');

    const stranger = await createMember(platform, 'owner');
    const strangerTokens = await login(platform, stranger.email);
    const notMine = await platform.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phone.sessionId}`, headers: bearer(strangerTokens.accessToken) });
    assert.equal(notMine.statusCode, 404);
    assert.equal(notMine.json().code, 'SESSION_NOT_FOUND');
    assert.equal((await me(phone.accessToken)).statusCode, 200);

    const revoke = await platform.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phone.sessionId}`, headers: bearer(laptop.accessToken) });
    assert.equal(revoke.statusCode, 204);
    assert.equal((await me(phone.accessToken)).statusCode, 401);
    assert.equal((await me(laptop.accessToken)).statusCode, 200);
    const after = (await platform.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(laptop.accessToken) })).json() as Array<{ id: string; revokedAt: string | null }>;
    assert.ok(after.find((s) => s.id === phone.sessionId)?.revokedAt);
  });

  test('password change: needs the current password, refuses a weak one, revokes the other sessions', async () => {
    const user = await createMember(platform, 'member');
    const here = await login(platform, user.email);
    const there = await login(platform, user.email);
    const change = (payload: Record<string, string>) =>
      platform.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: bearer(here.accessToken), payload, remoteAddress: '10.9.0.1' });

    const wrong = await change({ currentPassword: 'not it at all', newPassword: 'a brand new passphrase' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().code, 'PASSWORD_INCORRECT');
    const weak = await change({ currentPassword: PASSWORD, newPassword: 'short' });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().code, 'WEAK_PASSWORD');

    const ok = await change({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().revokedSessions, 1);
    assert.equal((await me(here.accessToken)).statusCode, 200);
    assert.equal((await me(there.accessToken)).statusCode, 401);
    const oldLogin = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } });
    assert.equal(oldLogin.statusCode, 401);
    await login(platform, user.email, 'a brand new passphrase');
  });

  test('removal from the workspace makes the token stop working', async () => {
    const owner = await createMember(platform, 'owner');
    const member = await createMember(platform, 'member', owner.workspaceId);
    const tokens = await login(platform, member.email);
    assert.equal((await me(tokens.accessToken)).statusCode, 200);
    await platform.db.withPlatform((tx) => tx.query('delete from memberships where workspace_id = $1 and user_id = $2', [owner.workspaceId, member.id]));
    platform.identity.invalidateSessionCache();
    assert.equal((await me(tokens.accessToken)).statusCode, 401);
  });
});
