// The caller's workspaces through the real app: list, read, update, settings, children,
// soft delete. Fixtures come from the signup endpoint and identity's session service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { Role } from '../access/index.ts';

describe('tenancy routes', () => {
  let platform: TestPlatform;
  let owner: { userId: string; workspaceId: string; token: string };

  before(async () => {
    platform = await startTestPlatform();
    owner = await signup('owner@acme.test', 'Acme Agency');
  });
  after(async () => {
    await platform.stop();
  });

  async function signup(email: string, companyName: string) {
    const res = await platform.app.inject({
      method: 'POST', url: '/api/v1/onboard/signup',
      payload: { email, password: 'a long enough password', name: email.split('@')[0], companyName },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    return { userId: body.user.id as string, workspaceId: body.workspace.id as string, token: body.accessToken as string };
  }

  /** A session for a user in a workspace they are a member of (the login route is identity's). */
  async function sessionIn(userId: string, workspaceId: string, role: Role): Promise<string> {
    const pair = await platform.db.withWorkspace(workspaceId, (tx) => platform.identity.sessions.openSession(tx, { userId, workspaceId, role, isPlatformAdmin: false }));
    return pair.accessToken;
  }

  async function addMember(workspaceId: string, userId: string, role: Role): Promise<string> {
    await platform.db.withWorkspace(workspaceId, (tx) => platform.identity.users.addMembership(tx, { workspaceId, userId, role }));
    return sessionIn(userId, workspaceId, role);
  }

  function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) {
    return platform.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  }

  test('GET /workspaces lists the caller\'s workspaces with their role', async () => {
    const res = await call('GET', '/workspaces', owner.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), [{ id: owner.workspaceId, slug: 'acme-agency', name: 'Acme Agency', status: 'active', parentId: null, role: 'owner', isCurrent: true }]);
    const anonymous = await platform.app.inject({ method: 'GET', url: '/api/v1/workspaces' });
    assert.equal(anonymous.statusCode, 401);
  });

  test('GET /workspaces/current returns the workspace and its settings (defaults)', async () => {
    const res = await call('GET', '/workspaces/current', owner.token);
    assert.equal(res.statusCode, 200, res.body);
    const w = res.json();
    assert.equal(w.id, owner.workspaceId);
    assert.equal(w.slug, 'acme-agency');
    assert.equal(w.plan, 'free');
    assert.equal(w.status, 'active');
    assert.equal(w.kind, 'organization');
    assert.equal(w.parentId, null);
    assert.ok(!Number.isNaN(Date.parse(w.createdAt)) && !Number.isNaN(Date.parse(w.updatedAt)));
    // Every registered setting, at its default (other modules register theirs too).
    assert.deepEqual(w.settings, platform.tenancy.settings.defaults());
    assert.deepEqual([w.settings.locale, w.settings.timezone, w.settings['branding.color']], ['en', 'UTC', '#4f46e5']);
    assert.equal('deletedAt' in w, false);
  });

  test('PATCH /workspaces/current renames and changes settings; null resets a setting', async () => {
    const res = await call('PATCH', '/workspaces/current', owner.token, { name: '  Acme Studio ', settings: { timezone: 'Europe/Paris', 'branding.color': '#112233' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().name, 'Acme Studio');
    assert.equal(res.json().slug, 'acme-agency', 'the slug does not follow the name');
    assert.deepEqual(res.json().settings, { ...platform.tenancy.settings.defaults(), timezone: 'Europe/Paris', 'branding.color': '#112233' });

    const again = await call('GET', '/workspaces/current', owner.token);
    assert.equal(again.json().name, 'Acme Studio');
    assert.equal(again.json().settings.timezone, 'Europe/Paris');

    const reset = await call('PATCH', '/workspaces/current', owner.token, { settings: { timezone: null } });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(reset.json().settings.timezone, 'UTC');
    const stored = await platform.db.withWorkspace(owner.workspaceId, (tx) => tx.query(`select value from workspace_settings where workspace_id = $1 and key = 'timezone'`, [owner.workspaceId]));
    assert.equal(stored.rowCount, 0);
  });

  test('GET /workspaces/current/settings describes every registered setting with its schema, default and value', async () => {
    await call('PATCH', '/workspaces/current', owner.token, { settings: { 'agents.http_secret_hosts': ['api.example.com'] } });
    const res = await call('GET', '/workspaces/current/settings', owner.token);
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json().data as Array<{ key: string; description: string; schema: { type?: string }; default: unknown; value: unknown; isDefault: boolean }>;
    assert.deepEqual(list.map((d) => d.key).sort(), Object.keys(platform.tenancy.settings.defaults()).sort(), 'every registered setting');
    const hosts = list.find((d) => d.key === 'agents.http_secret_hosts')!;
    assert.equal(hosts.schema.type, 'array');
    assert.deepEqual(hosts.default, []);
    assert.deepEqual(hosts.value, ['api.example.com']);
    assert.equal(hosts.isDefault, false);
    const network = list.find((d) => d.key === 'network.allow_private_addresses')!;
    assert.equal(network.isDefault, true);
    assert.match(network.description, /private/);
    await call('PATCH', '/workspaces/current', owner.token, { settings: { 'agents.http_secret_hosts': null } });
  });

  test('settings are validated against the registry: unknown key or bad value → 400, nothing written', async () => {
    const unknown = await call('PATCH', '/workspaces/current', owner.token, { name: 'Should Not Stick', settings: { theme: 'dark' } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().code, 'SETTING_UNKNOWN');
    assert.deepEqual(unknown.json().errors, [{ path: 'body.settings.theme', message: 'is not a known setting' }]);

    const invalid = await call('PATCH', '/workspaces/current', owner.token, { settings: { timezone: 'Mars/Olympus_Mons', 'branding.color': 'red', locale: 12 } });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().code, 'SETTING_INVALID');
    assert.deepEqual(invalid.json().errors.map((e: { path: string }) => e.path).sort(), ['body.settings.branding.color', 'body.settings.locale', 'body.settings.timezone']);

    for (const body of [{}, { name: '' }, { name: '   ' }, { slug: 'x' }, { name: 'x'.repeat(201) }]) {
      const res = await call('PATCH', '/workspaces/current', owner.token, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    const current = await call('GET', '/workspaces/current', owner.token);
    assert.equal(current.json().name, 'Acme Studio');
  });

  test('a viewer reads but cannot update, create children or delete', async () => {
    const viewer = await signup('viewer@acme.test', 'Viewer Home');
    const token = await addMember(owner.workspaceId, viewer.userId, 'viewer');
    assert.equal((await call('GET', '/workspaces/current', token)).statusCode, 200);
    const list = await call('GET', '/workspaces', token);
    assert.deepEqual(list.json().map((w: { slug: string; role: string; isCurrent: boolean }) => [w.slug, w.role, w.isCurrent]), [['acme-agency', 'viewer', true], ['viewer-home', 'owner', false]]);
    assert.equal((await call('PATCH', '/workspaces/current', token, { name: 'Hacked' })).statusCode, 403);
    assert.equal((await call('POST', '/workspaces', token, { name: 'P', kind: 'project' })).statusCode, 403);
    assert.equal((await call('DELETE', '/workspaces/current', token)).statusCode, 403);
  });

  test('an admin cannot delete the workspace (owners only)', async () => {
    const admin = await signup('admin@acme.test', 'Admin Home');
    const token = await addMember(owner.workspaceId, admin.userId, 'admin');
    assert.equal((await call('PATCH', '/workspaces/current', token, { settings: { locale: 'fr-FR' } })).statusCode, 200);
    const res = await call('DELETE', '/workspaces/current', token);
    assert.equal(res.statusCode, 403);
    assert.equal((await call('GET', '/workspaces/current', owner.token)).json().status, 'active');
  });

  test('POST /workspaces creates a child owned by the caller, with a derived or given slug', async () => {
    const res = await call('POST', '/workspaces', owner.token, { name: 'Client Website', kind: 'project' });
    assert.equal(res.statusCode, 201, res.body);
    const project = res.json();
    assert.equal(project.kind, 'project');
    assert.equal(project.parentId, owner.workspaceId);
    assert.equal(project.slug, 'client-website');
    assert.equal(project.plan, 'free');

    const rows = await platform.db.withPlatform(async (tx) => ({
      membership: (await tx.query('select user_id, role from memberships where workspace_id = $1', [project.id])).rows,
      settings: (await tx.query('select count(*)::int as n from workspace_settings where workspace_id = $1', [project.id])).rows[0].n,
    }));
    assert.deepEqual(rows.membership, [{ user_id: owner.userId, role: 'owner' }]);
    assert.equal(rows.settings, Object.keys(platform.tenancy.settings.defaults()).length);

    const list = await call('GET', '/workspaces', owner.token);
    assert.ok(list.json().some((w: { id: string; role: string; parentId: string }) => w.id === project.id && w.role === 'owner' && w.parentId === owner.workspaceId));

    const same = await call('POST', '/workspaces', owner.token, { name: 'Client Website', kind: 'project' });
    assert.equal(same.json().slug, 'client-website-2');

    const given = await call('POST', '/workspaces', owner.token, { name: 'Ops Team', slug: 'ops-team', kind: 'team' });
    assert.equal(given.statusCode, 201, given.body);
    assert.equal(given.json().slug, 'ops-team');
  });

  test('a given slug must be valid and free', async () => {
    const taken = await call('POST', '/workspaces', owner.token, { name: 'Again', slug: 'ops-team', kind: 'team' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'SLUG_TAKEN');
    const reserved = await call('POST', '/workspaces', owner.token, { name: 'Admin', slug: 'admin', kind: 'team' });
    assert.equal(reserved.statusCode, 409);
    assert.equal(reserved.json().code, 'SLUG_TAKEN');
    for (const slug of ['Bad Slug', '-x', 'x_y', 'a'.repeat(64)]) {
      const res = await call('POST', '/workspaces', owner.token, { name: 'Bad', slug, kind: 'team' });
      assert.equal(res.statusCode, 400, slug);
    }
    const kind = await call('POST', '/workspaces', owner.token, { name: 'Org', kind: 'organization' });
    assert.equal(kind.statusCode, 400);
  });

  test('hierarchy: a project holds teams only, a team holds nothing', async () => {
    const project = (await call('POST', '/workspaces', owner.token, { name: 'Hierarchy Project', kind: 'project' })).json();
    const inProject = await sessionIn(owner.userId, project.id, 'owner');
    const nestedProject = await call('POST', '/workspaces', inProject, { name: 'Nested', kind: 'project' });
    assert.equal(nestedProject.statusCode, 409);
    assert.equal(nestedProject.json().code, 'HIERARCHY_NOT_ALLOWED');

    const team = await call('POST', '/workspaces', inProject, { name: 'Hierarchy Team', kind: 'team' });
    assert.equal(team.statusCode, 201, team.body);
    assert.equal(team.json().parentId, project.id);

    const inTeam = await sessionIn(owner.userId, team.json().id, 'owner');
    for (const kind of ['team', 'project']) {
      const res = await call('POST', '/workspaces', inTeam, { name: 'Below team', kind });
      assert.equal(res.statusCode, 409);
      assert.match(res.json().detail, /team cannot have child/);
    }
  });

  test('an API key cannot list "my workspaces" or create children (user sessions only)', async () => {
    const { generateApiKey } = await import('../identity/tokens.ts');
    const key = generateApiKey();
    await platform.db.withWorkspace(owner.workspaceId, (tx) => tx.query(
      `insert into api_keys (workspace_id, name, prefix, key_hash, role) values ($1, 'ci', $2, $3, 'admin')`, [owner.workspaceId, key.prefix, key.hash]));
    assert.equal((await call('GET', '/workspaces/current', key.key)).statusCode, 200);
    assert.equal((await call('GET', '/workspaces', key.key)).statusCode, 403);
    assert.equal((await call('POST', '/workspaces', key.key, { name: 'From CI', kind: 'project' })).statusCode, 403);
  });

  test('soft delete: refused while live children exist; then data kept, sessions revoked, old token refused', async () => {
    const org = await signup('founder@deleteme.test', 'Delete Me');
    const child = await call('POST', '/workspaces', org.token, { name: 'Delete Me Child', kind: 'project' });
    assert.equal(child.statusCode, 201);
    const refused = await call('DELETE', '/workspaces/current', org.token);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'WORKSPACE_HAS_CHILDREN');

    // Delete the child first (from a session in it), then the organization.
    const inChild = await sessionIn(org.userId, child.json().id, 'owner');
    assert.equal((await call('DELETE', '/workspaces/current', inChild)).statusCode, 204);
    assert.equal((await call('GET', '/workspaces/current', inChild)).statusCode, 401);

    const second = await sessionIn(org.userId, org.workspaceId, 'owner');
    const res = await call('DELETE', '/workspaces/current', org.token);
    assert.equal(res.statusCode, 204, res.body);

    for (const token of [org.token, second]) {
      const after = await call('GET', '/workspaces/current', token);
      assert.ok(after.statusCode === 401 || after.statusCode === 403, `${after.statusCode}`);
    }
    const state = await platform.db.withPlatform(async (tx) => ({
      workspace: (await tx.query('select status, deleted_at from workspaces where id = $1', [org.workspaceId])).rows[0],
      live: (await tx.query('select count(*)::int as n from sessions where workspace_id = $1 and revoked_at is null', [org.workspaceId])).rows[0].n,
      reasons: (await tx.query('select distinct revoked_reason from sessions where workspace_id = $1', [org.workspaceId])).rows,
      kept: (await tx.query('select (select count(*)::int from memberships where workspace_id = $1) as members, (select count(*)::int from workspace_settings where workspace_id = $1) as settings, (select count(*)::int from outbox_messages where workspace_id = $1) as mails', [org.workspaceId])).rows[0],
    }));
    assert.equal(state.workspace.status, 'deleted');
    assert.ok(state.workspace.deleted_at instanceof Date);
    assert.equal(state.live, 0);
    assert.deepEqual(state.reasons, [{ revoked_reason: 'workspace_deleted' }]);
    assert.deepEqual(state.kept, { members: 1, settings: Object.keys(platform.tenancy.settings.defaults()).length, mails: 1 });

    // A session opened afterwards (e.g. a stale login) is still refused: the workspace is not active.
    const late = await sessionIn(org.userId, org.workspaceId, 'owner');
    const lateRes = await call('GET', '/workspaces/current', late);
    assert.equal(lateRes.statusCode, 403);
    assert.equal(lateRes.json().code, 'WORKSPACE_SUSPENDED');
  });
});
