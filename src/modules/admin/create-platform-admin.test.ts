// Creating platform admins: from the CLI's use-case and from ATRIUM_ADMIN_* at start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';

describe('platform admins', () => {
  let platform: TestPlatform;

  before(async () => {
    platform = await startTestPlatform({ ATRIUM_ADMIN_EMAIL: 'Boot@Ops.test', ATRIUM_ADMIN_PASSWORD: 'bootstrap password 1' });
  });
  after(async () => {
    await platform.stop();
  });

  async function snapshot() {
    return platform.db.withPlatform(async (tx) => (await tx.query<Record<string, number>>(`select
      (select count(*)::int from users) as users, (select count(*)::int from workspaces) as workspaces,
      (select count(*)::int from memberships) as memberships`)).rows[0]);
  }

  async function userRow(email: string) {
    return platform.db.withPlatform(async (tx) => (await tx.query('select id, is_platform_admin, password_hash from users where lower(email) = $1', [email])).rows[0]);
  }

  test('ensureBootstrapAdmin creates the admin from the config once, with a workspace to log in to', async () => {
    assert.equal(await userRow('boot@ops.test'), undefined);
    await platform.admin.ensureBootstrapAdmin();
    const row = await userRow('boot@ops.test');
    assert.equal(row.is_platform_admin, true);
    assert.ok(await platform.identity.passwords.verify(row.password_hash, 'bootstrap password 1'));
    const memberships = await platform.db.withIdentity((tx) => platform.identity.users.memberships(tx, row.id));
    assert.deepEqual(memberships.map((m) => [m.slug, m.name, m.role, m.status]), [['operations', 'Operations', 'owner', 'active']]);

    const before = await snapshot();
    await platform.admin.ensureBootstrapAdmin();
    assert.deepEqual(await snapshot(), before);
  });

  test('createPlatformAdmin: a new user gets a unique "Operations" workspace; running it again changes nothing', async () => {
    const first = await platform.admin.createPlatformAdmin({ email: 'Second@Ops.test', password: 'second password 1', name: 'Second' });
    assert.equal(first.isNewUser, true);
    assert.equal(first.user.email, 'second@ops.test');
    assert.equal(first.user.isPlatformAdmin, true);
    assert.deepEqual([first.workspace.slug, first.workspace.isNew], ['operations-2', true]);

    const before = await snapshot();
    const again = await platform.admin.createPlatformAdmin({ email: 'second@ops.test', password: 'another password 2' });
    assert.deepEqual([again.isNewUser, again.wasPromoted, again.workspace.isNew, again.workspace.id], [false, false, false, first.workspace.id]);
    assert.deepEqual(await snapshot(), before);
    const row = await userRow('second@ops.test');
    assert.ok(await platform.identity.passwords.verify(row.password_hash, 'second password 1'), 'the password is not replaced');

    // The token a login would issue works on the admin routes.
    const pair = await platform.db.withWorkspace(first.workspace.id, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: first.user.id, workspaceId: first.workspace.id, role: 'owner', isPlatformAdmin: true }));
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/admin/workspaces', headers: { authorization: `Bearer ${pair.accessToken}` } });
    assert.equal(res.statusCode, 200);
  });

  test('an existing user is promoted and keeps their workspace and password', async () => {
    const signup = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'founder@shop.test', password: 'founder password 1', name: 'Founder', companyName: 'Shop' } });
    assert.equal(signup.statusCode, 201);
    const before = await snapshot();
    const result = await platform.admin.createPlatformAdmin({ email: 'FOUNDER@shop.test' });
    assert.deepEqual([result.isNewUser, result.wasPromoted, result.workspace.slug, result.workspace.isNew], [false, true, 'shop', false]);
    assert.deepEqual(await snapshot(), before);
    const row = await userRow('founder@shop.test');
    assert.equal(row.is_platform_admin, true);
    assert.ok(await platform.identity.passwords.verify(row.password_hash, 'founder password 1'));
  });

  test('a new admin needs a strong password and a valid email', async () => {
    await assert.rejects(platform.admin.createPlatformAdmin({ email: 'nopass@ops.test' }), (e: Error & { code?: string }) => e.code === 'PASSWORD_REQUIRED');
    await assert.rejects(platform.admin.createPlatformAdmin({ email: 'weak@ops.test', password: 'short' }), (e: Error & { code?: string }) => e.code === 'WEAK_PASSWORD');
    await assert.rejects(platform.admin.createPlatformAdmin({ email: 'not an email', password: 'long enough password' }), (e: Error & { code?: string }) => e.code === 'VALIDATION_FAILED');
    assert.equal(await userRow('nopass@ops.test'), undefined);
    assert.equal(await userRow('weak@ops.test'), undefined);
  });

  test('ensureBootstrapAdmin never promotes an existing non-admin user', async () => {
    const other = await startTestPlatform({ ATRIUM_ADMIN_EMAIL: 'taken@ops.test', ATRIUM_ADMIN_PASSWORD: 'bootstrap password 2' });
    try {
      const res = await other.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'taken@ops.test', password: 'user password 123', name: 'T', companyName: 'Taken' } });
      assert.equal(res.statusCode, 201);
      await other.admin.ensureBootstrapAdmin();
      const row = await other.db.withPlatform(async (tx) => (await tx.query(`select is_platform_admin from users where email = 'taken@ops.test'`)).rows[0]);
      assert.equal(row.is_platform_admin, false);
    } finally {
      await other.stop();
    }
  });
});
