// The platform admin path through the real app: workspaces (list/get/create/suspend/restore/
// delete), force logout, users, every workspace's mail; and a non-admin is refused everywhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { Role } from '../access/index.ts';

type Tenant = { userId: string; workspaceId: string; slug: string; token: string; email: string };

describe('platform admin routes', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let adminUserId: string;
  const tenants: Tenant[] = [];

  before(async () => {
    platform = await startTestPlatform();
    const created = await platform.admin.createPlatformAdmin({ email: 'root@ops.test', password: 'operator password 1', name: 'Root' });
    adminUserId = created.user.id;
    adminToken = await sessionIn(created.user.id, created.workspace.id, 'owner', true);
    // Names chosen so that name order, slug order and creation order differ.
    for (const [email, company] of [['c@zeta.test', 'Zeta Labs'], ['a@alpha.test', 'alpha works'], ['b@mid.test', 'Mid Corp'], ['d@beta.test', 'Beta Studio']]) {
      tenants.push(await signup(email, company));
    }
  });
  after(async () => {
    await platform.stop();
  });

  async function signup(email: string, companyName: string): Promise<Tenant> {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email, password: 'a long enough password', name: 'User', companyName } });
    assert.equal(res.statusCode, 201, res.body);
    const b = res.json();
    return { userId: b.user.id, workspaceId: b.workspace.id, slug: b.workspace.slug, token: b.accessToken, email };
  }

  async function sessionIn(userId: string, workspaceId: string, role: Role, isPlatformAdmin = false): Promise<string> {
    const pair = await platform.db.withWorkspace(workspaceId, (tx) => platform.identity.sessions.openSession(tx, { userId, workspaceId, role, isPlatformAdmin }));
    return pair.accessToken;
  }

  function call(method: 'GET' | 'POST' | 'DELETE', url: string, token: string | null, payload?: unknown) {
    return platform.app.inject({
      method, url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  test('list: every workspace with its member count', async () => {
    const res = await call('GET', '/admin/workspaces', adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json();
    assert.equal(page.total, 5); // 4 signups + the admin's Operations workspace
    assert.equal(page.limit, 20);
    assert.equal(page.offset, 0);
    const zeta = page.data.find((w: { slug: string }) => w.slug === 'zeta-labs');
    assert.equal(zeta.memberCount, 1);
    assert.equal(zeta.status, 'active');
    assert.equal(zeta.deletedAt, null);
    assert.ok(page.data.some((w: { slug: string; name: string }) => w.slug === 'operations' && w.name === 'Operations'));
    // Default order: newest first.
    assert.equal(page.data[0].slug, 'beta-studio');
  });

  test('list: search, sort, order, paginate', async () => {
    const byName = await call('GET', '/admin/workspaces?sort=name&order=asc', adminToken);
    assert.deepEqual(byName.json().data.map((w: { name: string }) => w.name), ['alpha works', 'Beta Studio', 'Mid Corp', 'Operations', 'Zeta Labs']);
    const bySlugDesc = await call('GET', '/admin/workspaces?sort=slug&order=desc', adminToken);
    assert.deepEqual(bySlugDesc.json().data.map((w: { slug: string }) => w.slug), ['zeta-labs', 'operations', 'mid-corp', 'beta-studio', 'alpha-works']);

    const page1 = await call('GET', '/admin/workspaces?sort=slug&order=asc&limit=2&offset=0', adminToken);
    const page2 = await call('GET', '/admin/workspaces?sort=slug&order=asc&limit=2&offset=2', adminToken);
    const page3 = await call('GET', '/admin/workspaces?sort=slug&order=asc&limit=2&offset=4', adminToken);
    assert.deepEqual([page1, page2, page3].map((p) => p.json().data.map((w: { slug: string }) => w.slug)), [['alpha-works', 'beta-studio'], ['mid-corp', 'operations'], ['zeta-labs']]);
    assert.deepEqual([page1, page2, page3].map((p) => p.json().total), [5, 5, 5]);
    const beyond = await call('GET', '/admin/workspaces?limit=2&offset=50', adminToken);
    assert.deepEqual([beyond.json().data, beyond.json().total], [[], 5]);

    const q = await call('GET', '/admin/workspaces?q=STUD', adminToken);
    assert.deepEqual(q.json().data.map((w: { slug: string }) => w.slug), ['beta-studio']);
    const byId = await call('GET', `/admin/workspaces?q=${tenants[2].workspaceId}`, adminToken);
    assert.deepEqual(byId.json().data.map((w: { slug: string }) => w.slug), ['mid-corp']);
    const wildcard = await call('GET', '/admin/workspaces?q=%25', adminToken);
    assert.equal(wildcard.json().total, 0, 'LIKE wildcards in q are literal');
    const plan = await call('GET', '/admin/workspaces?plan=enterprise', adminToken);
    assert.equal(plan.json().total, 0);

    for (const bad of ['sort=password', 'order=sideways', 'limit=0', 'limit=101', 'offset=-1', 'status=gone', 'plan=gold']) {
      assert.equal((await call('GET', `/admin/workspaces?${bad}`, adminToken)).statusCode, 400, bad);
    }
  });

  test('get: one workspace with settings and members; unknown id → 404', async () => {
    const res = await call('GET', `/admin/workspaces/${tenants[0].workspaceId}`, adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const w = res.json();
    assert.equal(w.slug, 'zeta-labs');
    assert.deepEqual(w.members.map((m: { email: string; role: string }) => [m.email, m.role]), [['c@zeta.test', 'owner']]);
    assert.equal(w.memberCount, 1);
    assert.equal(w.settings.timezone, 'UTC');
    const missing = await call('GET', '/admin/workspaces/0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b', adminToken);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'WORKSPACE_NOT_FOUND');
    assert.equal((await call('GET', '/admin/workspaces/not-a-uuid', adminToken)).statusCode, 400);
  });

  test('create: with an existing owner, with a plan and slug; unknown owner → 404 and nothing created', async () => {
    const res = await call('POST', '/admin/workspaces', adminToken, { name: 'Enterprise Client', slug: 'big-client', plan: 'enterprise', ownerEmail: 'A@alpha.test' });
    assert.equal(res.statusCode, 201, res.body);
    const w = res.json();
    assert.equal(w.slug, 'big-client');
    assert.equal(w.plan, 'enterprise');
    assert.equal(w.kind, 'organization');
    assert.deepEqual(w.members.map((m: { userId: string; role: string }) => [m.userId, m.role]), [[tenants[1].userId, 'owner']]);
    assert.equal(Object.keys(w.settings).length, Object.keys(platform.tenancy.settings.defaults()).length);

    const noOwner = await call('POST', '/admin/workspaces', adminToken, { name: 'Unowned Shell' });
    assert.equal(noOwner.statusCode, 201);
    assert.equal(noOwner.json().slug, 'unowned-shell');
    assert.equal(noOwner.json().memberCount, 0);

    const before = (await call('GET', '/admin/workspaces', adminToken)).json().total;
    const unknown = await call('POST', '/admin/workspaces', adminToken, { name: 'Ghost Owned', ownerEmail: 'nobody@nowhere.test' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'USER_NOT_FOUND');
    const taken = await call('POST', '/admin/workspaces', adminToken, { name: 'Dup', slug: 'big-client' });
    assert.equal(taken.statusCode, 409);
    assert.equal((await call('GET', '/admin/workspaces', adminToken)).json().total, before);
    assert.equal((await call('POST', '/admin/workspaces', adminToken, { name: 'X', plan: 'gold' })).statusCode, 400);
  });

  test('suspend → the workspace\'s tokens are refused → restore → a new session works', async () => {
    const t = tenants[2];
    assert.equal((await call('GET', '/workspaces/current', t.token)).statusCode, 200);
    const res = await call('POST', `/admin/workspaces/${t.workspaceId}/suspend`, adminToken, { reason: 'unpaid invoice' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'suspended');
    assert.equal(res.json().statusReason, 'unpaid invoice');
    assert.ok(res.json().suspendedAt);

    const refused = await call('GET', '/workspaces/current', t.token);
    assert.equal(refused.statusCode, 401, 'the session was revoked');
    const fresh = await sessionIn(t.userId, t.workspaceId, 'owner');
    const stillRefused = await call('GET', '/workspaces/current', fresh);
    assert.equal(stillRefused.statusCode, 403, 'a suspended workspace refuses any token');
    assert.equal(stillRefused.json().code, 'WORKSPACE_SUSPENDED');

    const listed = await call('GET', '/admin/workspaces?status=suspended', adminToken);
    assert.deepEqual(listed.json().data.map((w: { id: string }) => w.id), [t.workspaceId]);

    // Suspending again changes nothing; without a body is fine too.
    const again = await call('POST', `/admin/workspaces/${t.workspaceId}/suspend`, adminToken);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().statusReason, 'unpaid invoice');

    const restored = await call('POST', `/admin/workspaces/${t.workspaceId}/restore`, adminToken);
    assert.equal(restored.statusCode, 200, restored.body);
    assert.equal(restored.json().status, 'active');
    assert.equal(restored.json().statusReason, null);
    assert.equal(restored.json().suspendedAt, null);
    assert.equal((await call('GET', '/workspaces/current', fresh)).statusCode, 200, 'the session opened after suspension works again');
    const newSession = await sessionIn(t.userId, t.workspaceId, 'owner');
    assert.equal((await call('GET', '/workspaces/current', newSession)).statusCode, 200);
  });

  test('delete → refused; restore from deleted; a deleted workspace cannot be suspended', async () => {
    const t = tenants[3];
    const res = await call('DELETE', `/admin/workspaces/${t.workspaceId}`, adminToken);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, 'deleted');
    assert.ok(res.json().deletedAt);
    assert.equal((await call('GET', '/workspaces/current', t.token)).statusCode, 401);
    const suspend = await call('POST', `/admin/workspaces/${t.workspaceId}/suspend`, adminToken, {});
    assert.equal(suspend.statusCode, 409);
    assert.equal(suspend.json().code, 'WORKSPACE_STATUS_CONFLICT');
    const deleted = await call('GET', '/admin/workspaces?status=deleted', adminToken);
    assert.deepEqual(deleted.json().data.map((w: { id: string }) => w.id), [t.workspaceId]);

    const restored = await call('POST', `/admin/workspaces/${t.workspaceId}/restore`, adminToken);
    assert.equal(restored.json().status, 'active');
    assert.equal(restored.json().deletedAt, null);
    assert.equal((await call('GET', '/workspaces/current', await sessionIn(t.userId, t.workspaceId, 'owner'))).statusCode, 200);
    assert.equal((await call('DELETE', '/admin/workspaces/0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b', adminToken)).statusCode, 404);
  });

  test('an organization with live children cannot be deleted until they are', async () => {
    const t = tenants[1];
    const child = await call('POST', '/workspaces', t.token, { name: 'Alpha Child', kind: 'project' });
    assert.equal(child.statusCode, 201);
    const res = await call('DELETE', `/admin/workspaces/${t.workspaceId}`, adminToken);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'WORKSPACE_HAS_CHILDREN');
    assert.equal((await call('DELETE', `/admin/workspaces/${child.json().id}`, adminToken)).statusCode, 200);
    assert.equal((await call('DELETE', `/admin/workspaces/${t.workspaceId}`, adminToken)).statusCode, 200);
    assert.equal((await call('POST', `/admin/workspaces/${t.workspaceId}/restore`, adminToken)).statusCode, 200);
  });

  test('force logout of a workspace and of a user', async () => {
    const t = tenants[0];
    const other = await sessionIn(t.userId, t.workspaceId, 'owner');
    const res = await call('POST', `/admin/workspaces/${t.workspaceId}/logout`, adminToken);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().revokedSessions >= 2);
    assert.equal((await call('GET', '/workspaces/current', t.token)).statusCode, 401);
    assert.equal((await call('GET', '/workspaces/current', other)).statusCode, 401);

    const a = await sessionIn(t.userId, t.workspaceId, 'owner');
    const b = await sessionIn(t.userId, t.workspaceId, 'owner');
    const user = await call('POST', `/admin/users/${t.userId}/logout`, adminToken);
    assert.equal(user.statusCode, 200);
    assert.equal(user.json().revokedSessions, 2);
    assert.equal((await call('GET', '/workspaces/current', a)).statusCode, 401);
    assert.equal((await call('GET', '/workspaces/current', b)).statusCode, 401);
    assert.equal((await call('GET', '/workspaces/current', adminToken)).statusCode, 200, 'other users keep their sessions');

    assert.equal((await call('POST', '/admin/users/0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b/logout', adminToken)).statusCode, 404);
    assert.equal((await call('POST', '/admin/workspaces/0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b/logout', adminToken)).statusCode, 404);
  });

  test('users: list and search with workspace counts', async () => {
    const res = await call('GET', '/admin/users', adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json();
    assert.equal(page.total, 5);
    const root = page.data.find((u: { email: string }) => u.email === 'root@ops.test');
    assert.deepEqual([root.isPlatformAdmin, root.workspaceCount, root.name], [true, 1, 'Root']);
    const alpha = page.data.find((u: { email: string }) => u.email === 'a@alpha.test');
    assert.equal(alpha.isPlatformAdmin, false);
    assert.ok(alpha.workspaceCount >= 2, 'own workspace + the admin-created one');
    assert.equal('passwordHash' in alpha || 'password_hash' in alpha, false);
    const q = await call('GET', '/admin/users?q=ZETA', adminToken);
    assert.deepEqual(q.json().data.map((u: { email: string }) => u.email), ['c@zeta.test']);
    const paged = await call('GET', '/admin/users?limit=2&offset=4', adminToken);
    assert.deepEqual([paged.json().data.length, paged.json().total], [1, 5]);
  });

  test('mail: every workspace\'s outbox, newest first, with a cursor', async () => {
    const res = await call('GET', '/admin/mail?limit=3', adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const first = res.json();
    assert.equal(first.data.length, 3);
    assert.ok(first.nextCursor);
    const rest = await call('GET', `/admin/mail?limit=3&cursor=${first.nextCursor}`, adminToken);
    const all = [...first.data, ...rest.json().data];
    assert.equal(all.length, 4, 'one welcome mail per signup');
    assert.equal(rest.json().nextCursor, null);
    assert.deepEqual(new Set(all.map((m: { workspaceId: string }) => m.workspaceId)), new Set(tenants.map((t) => t.workspaceId)));
    assert.ok(all.every((m: { kind: string }) => m.kind === 'welcome'));
    const ids = all.map((m: { id: string }) => m.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
  });

  test('a non-admin gets 403 on every /admin route, and no token gets 401', async () => {
    const adminRoutes = platform.routeTable.filter((r) => r.url.startsWith('/api/v1/admin'));
    assert.ok(adminRoutes.length >= 10, `${adminRoutes.length} admin routes`);
    const tenantOwner = await sessionIn(tenants[2].userId, tenants[2].workspaceId, 'owner');
    for (const route of adminRoutes) {
      assert.equal(route.auth, 'platform-admin', `${route.method} ${route.url} must require a platform admin`);
      const url = route.url.replace(/^\/api\/v1/, '').replace(':id', tenants[2].workspaceId);
      const method = route.method as 'GET' | 'POST' | 'DELETE';
      const body = method === 'POST' ? { name: 'Nope' } : undefined;
      const res = await call(method, url, tenantOwner, body);
      assert.equal(res.statusCode, 403, `${route.method} ${route.url}: ${res.body}`);
      const anonymous = await call(method, url, null, body);
      assert.equal(anonymous.statusCode, 401, `${route.method} ${route.url}`);
    }
    assert.equal((await call('GET', '/workspaces/current', tenantOwner)).json().status, 'active', 'the refused suspend did nothing');
  });

  test('an admin who lost platform rights is refused at once (checked per request)', async () => {
    const created = await platform.admin.createPlatformAdmin({ email: 'temp-admin@ops.test', password: 'operator password 2' });
    const token = await sessionIn(created.user.id, created.workspace.id, 'owner', true);
    assert.equal((await call('GET', '/admin/users', token)).statusCode, 200);
    await platform.db.withPlatform((tx) => tx.query('update users set is_platform_admin = false where id = $1', [created.user.id]));
    platform.identity.invalidateSessionCache();
    assert.equal((await call('GET', '/admin/users', token)).statusCode, 403);
    assert.notEqual(created.user.id, adminUserId);
  });
});
