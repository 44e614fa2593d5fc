// Members: listing, role changes (rank and last-owner rules), removal and leaving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { addMember, bearer, createMember, createWorkspace, login } from '../identity.fixtures.ts';

describe('members', () => {
  let platform: TestPlatform;
  before(async () => { platform = await startTestPlatform(); });
  after(async () => { await platform.stop(); });

  const call = (method: 'GET' | 'PATCH' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) =>
    platform.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

  /** A workspace with an owner, an admin, a member and a viewer, each logged in. */
  async function team() {
    const owner = await createMember(platform, 'owner');
    const ws = owner.workspaceId;
    const admin = await createMember(platform, 'admin', ws);
    const member = await createMember(platform, 'member', ws);
    const viewer = await createMember(platform, 'viewer', ws);
    const [so, sa, sm, sv] = await Promise.all([owner, admin, member, viewer].map((u) => login(platform, u.email)));
    return { ws, owner: { ...owner, token: so.accessToken }, admin: { ...admin, token: sa.accessToken }, member: { ...member, token: sm.accessToken }, viewer: { ...viewer, token: sv.accessToken } };
  }

  test('list: every member with role, join date and MFA flag; viewers may read', async () => {
    const t = await team();
    const res = await call('GET', '/members', t.viewer.token);
    assert.equal(res.statusCode, 200, res.body);
    const data = res.json().data as Array<{ userId: string; role: string; email: string; mfaEnabled: boolean; joinedAt: string }>;
    assert.deepEqual(data.map((m) => m.userId), [t.owner.id, t.admin.id, t.member.id, t.viewer.id]);
    assert.deepEqual(data.map((m) => m.role), ['owner', 'admin', 'member', 'viewer']);
    assert.equal(data[0].email, t.owner.email);
    assert.equal(data[0].mfaEnabled, false);
    assert.ok(!Number.isNaN(Date.parse(data[0].joinedAt)));
    const page = (await call('GET', '/members?limit=2', t.viewer.token)).json();
    assert.equal(page.data.length, 2);
    const rest = (await call('GET', `/members?limit=2&cursor=${page.nextCursor}`, t.viewer.token)).json();
    assert.deepEqual(rest.data.map((m: { userId: string }) => m.userId), [t.member.id, t.viewer.id]);
  });

  test('role change: takes effect on the member\'s next request', async () => {
    const t = await team();
    const res = await call('PATCH', `/members/${t.viewer.id}`, t.admin.token, { role: 'member' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().role, 'member');
    const me = await call('GET', '/auth/me', t.viewer.token);
    assert.equal(me.json().role, 'member');
  });

  test('no role above your own, and no change to someone above you', async () => {
    const t = await team();
    const promote = await call('PATCH', `/members/${t.member.id}`, t.admin.token, { role: 'owner' });
    assert.equal(promote.statusCode, 403);
    assert.equal(promote.json().code, 'ROLE_NOT_ALLOWED');
    const demoteOwner = await call('PATCH', `/members/${t.owner.id}`, t.admin.token, { role: 'viewer' });
    assert.equal(demoteOwner.statusCode, 403);
    assert.equal(demoteOwner.json().code, 'ROLE_NOT_ALLOWED');
    const noPermission = await call('PATCH', `/members/${t.viewer.id}`, t.member.token, { role: 'viewer' });
    assert.equal(noPermission.statusCode, 403);
    assert.equal(noPermission.json().code, 'FORBIDDEN');
  });

  test('the last owner can\'t be demoted; with a second owner they can', async () => {
    const t = await team();
    const last = await call('PATCH', `/members/${t.owner.id}`, t.owner.token, { role: 'admin' });
    assert.equal(last.statusCode, 409);
    assert.equal(last.json().code, 'LAST_OWNER');
    assert.equal((await call('PATCH', `/members/${t.admin.id}`, t.owner.token, { role: 'owner' })).statusCode, 200);
    const demoted = await call('PATCH', `/members/${t.owner.id}`, t.owner.token, { role: 'admin' });
    assert.equal(demoted.statusCode, 200, demoted.body);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ n: number }>(`select count(*)::int as n from memberships where workspace_id = $1 and role = 'owner'`, [t.ws]));
    assert.equal(rows[0].n, 1);
  });

  test('two owners demoting each other at once leave one owner', async () => {
    const t = await team();
    await call('PATCH', `/members/${t.admin.id}`, t.owner.token, { role: 'owner' });
    const results = await Promise.all([
      call('PATCH', `/members/${t.admin.id}`, t.owner.token, { role: 'member' }),
      call('PATCH', `/members/${t.owner.id}`, t.admin.token, { role: 'member' }),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ n: number }>(`select count(*)::int as n from memberships where workspace_id = $1 and role = 'owner'`, [t.ws]));
    assert.equal(rows[0].n, 1);
  });

  test('remove: needs member.remove; revokes the member\'s sessions in the workspace only', async () => {
    const t = await team();
    const elsewhere = await createWorkspace(platform);
    await addMember(platform, elsewhere.id, t.member.id, 'member');
    const otherSession = await login(platform, t.member.email, undefined, elsewhere.id);

    const denied = await call('DELETE', `/members/${t.viewer.id}`, t.member.token);
    assert.equal(denied.statusCode, 403);
    const res = await call('DELETE', `/members/${t.member.id}`, t.admin.token);
    assert.equal(res.statusCode, 204);
    assert.equal((await call('GET', '/auth/me', t.member.token)).statusCode, 401);
    assert.equal((await call('GET', '/auth/me', otherSession.accessToken)).statusCode, 200);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ revoked_reason: string | null }>(
      'select revoked_reason from sessions where user_id = $1 and workspace_id = $2', [t.member.id, t.ws]));
    assert.deepEqual(rows.map((r) => r.revoked_reason), ['removed_from_workspace']);
    const list = (await call('GET', '/members', t.admin.token)).json().data as Array<{ userId: string }>;
    assert.ok(!list.some((m) => m.userId === t.member.id));
    assert.equal((await call('DELETE', `/members/${t.member.id}`, t.admin.token)).statusCode, 404);
  });

  test('an admin can\'t remove an owner; the last owner can\'t leave; anyone else may leave', async () => {
    const t = await team();
    const adminVsOwner = await call('DELETE', `/members/${t.owner.id}`, t.admin.token);
    assert.equal(adminVsOwner.statusCode, 403);
    assert.equal(adminVsOwner.json().code, 'ROLE_NOT_ALLOWED');
    const ownerLeaves = await call('DELETE', `/members/${t.owner.id}`, t.owner.token);
    assert.equal(ownerLeaves.statusCode, 409);
    assert.equal(ownerLeaves.json().code, 'LAST_OWNER');
    const viewerLeaves = await call('DELETE', `/members/${t.viewer.id}`, t.viewer.token);
    assert.equal(viewerLeaves.statusCode, 204);
    assert.equal((await call('GET', '/auth/me', t.viewer.token)).statusCode, 401);
  });

  test('another workspace\'s member is 404 and never listed', async () => {
    const a = await team();
    const b = await team();
    for (const [method, payload] of [['PATCH', { role: 'viewer' }], ['DELETE', undefined]] as const) {
      const res = await call(method, `/members/${a.member.id}`, b.owner.token, payload);
      assert.equal(res.statusCode, 404, method);
      assert.equal(res.json().code, 'MEMBER_NOT_FOUND');
    }
    const list = (await call('GET', '/members', b.owner.token)).json().data as Array<{ userId: string }>;
    assert.ok(!list.some((m) => m.userId === a.member.id));
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ role: string }>('select role from memberships where workspace_id = $1 and user_id = $2', [a.ws, a.member.id]));
    assert.deepEqual(rows, [{ role: 'member' }]);
  });
});
