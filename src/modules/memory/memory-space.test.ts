// A workspace's memory space: provisioned at signup (and rolled back with it when the step
// fails), lazily for workspaces made before; moved by an admin to a project of a Mem0-compatible
// provider (a fake one here, answering Mem0's documented routes and checking the access key),
// created through its API; remember and recall then go there (scoped by agent, never another
// workspace's), list/edit/export are refused with a clear 409, a revoked key shows as
// disconnected; back to the built-in provider, the workspace's own memories are there again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { startFakeMem0 } from '../../../test/helpers/fake-mem0.ts';
import type { FakeMem0 } from '../../../test/helpers/fake-mem0.ts';

const MEM0_KEY = 'm0-access-key-5e1d7c';

describe('memory spaces', () => {
  let platform: TestPlatform;
  let fake: FakeMem0;
  let mem0Url = '';
  let a: Tenant;
  let b: Tenant;
  let agentId = '';

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await res.text();
    assert.ok(!text.includes(MEM0_KEY), 'the access key never comes back');
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  before(async () => {
    fake = await startFakeMem0(MEM0_KEY);
    mem0Url = fake.url;
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    a = await createTenant(platform, 'space-a');
    b = await createTenant(platform, 'space-b');
    assert.equal((await api(a.tokens.owner, 'PUT', '/secrets/MEM0_KEY', { value: MEM0_KEY })).status, 201);
    const agent = await api(a.tokens.admin, 'POST', '/agents', { name: 'Remembering agent', config: { model: 'fast' } });
    assert.equal(agent.status, 201, JSON.stringify(agent.json));
    agentId = agent.json.id as string;
  });
  after(async () => {
    await platform.stop();
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  });

  test('signup provisions a built-in memory space in its transaction; a failing step leaves nothing behind', async () => {
    const signup = (email: string, companyName: string) => platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email, password: 'a long enough passphrase', name: 'Ada', companyName } });
    const made = await signup('ada@space.test', 'Space Made');
    assert.equal(made.statusCode, 201, made.body);
    const ws = (made.json() as { workspace: { id: string } }).workspace.id;
    const token = (made.json() as { accessToken: string }).accessToken;
    const space = await api(token, 'GET', '/memories/space');
    assert.equal(space.status, 200);
    assert.equal(space.json.provider, 'builtin');
    assert.equal(space.json.status, 'connected');
    assert.match(String(space.json.projectId), /^mem_[0-9a-f]{20}$/);
    const row = await platform.db.withPlatform((tx) => tx.query('select provider from memory_spaces where workspace_id = $1', [ws]));
    assert.equal(row.rows.length, 1, 'the row was written by the signup, not by the read');

    // The memory step fails (a trigger refuses the row): the whole signup is undone.
    await platform.db.owner.query(`create function test_refuse_space() returns trigger language plpgsql as $$ begin raise exception 'memory store unavailable'; end $$`);
    await platform.db.owner.query('create trigger test_refuse_space before insert on memory_spaces for each row execute function test_refuse_space()');
    try {
      const failed = await signup('grace@space.test', 'Space Failed');
      assert.equal(failed.statusCode, 500);
      assert.equal((failed.json() as { code: string }).code, 'PROVISIONING_FAILED');
      const left = await platform.db.withPlatform((tx) => tx.query(`select (select count(*) from workspaces where slug = 'space-failed')::int as workspaces, (select count(*) from users where email = 'grace@space.test')::int as users`));
      assert.deepEqual(left.rows[0], { workspaces: 0, users: 0 });
    } finally {
      await platform.db.owner.query('drop trigger test_refuse_space on memory_spaces');
      await platform.db.owner.query('drop function test_refuse_space()');
    }
  });

  test('moving to Mem0: the address guard, the vault and the provider are checked; the project is created through its API', async () => {
    const body = { provider: 'mem0', baseUrl: mem0Url, orgId: 'org_agency', secretName: 'MEM0_KEY' };
    assert.equal((await api(a.tokens.member, 'PUT', '/memories/space', body)).status, 403);
    const privateRefused = await api(a.tokens.admin, 'PUT', '/memories/space', body);
    assert.equal(privateRefused.status, 422, JSON.stringify(privateRefused.json));
    assert.match(String(privateRefused.json.detail), /private|loopback/);
    assert.equal((await api(a.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    const noKey = await api(a.tokens.admin, 'PUT', '/memories/space', { ...body, secretName: 'NOT_THERE' });
    assert.equal(noKey.status, 422);
    assert.match(String(noKey.json.detail), /body\.secretName names no secret/);
    const bad = await api(a.tokens.admin, 'PUT', '/memories/space', { provider: 'mem0', baseUrl: mem0Url });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.detail, 'body.orgId, body.secretName are needed for provider mem0');
    const mixed = await api(a.tokens.admin, 'PUT', '/memories/space', { provider: 'builtin', orgId: 'x' });
    assert.equal(mixed.json.detail, 'body.orgId: only for provider mem0');
    assert.equal((await api(a.tokens.admin, 'GET', '/memories/space')).json.provider, 'builtin', 'refusals changed nothing');

    const moved = await api(a.tokens.admin, 'PUT', '/memories/space', body);
    assert.equal(moved.status, 200, JSON.stringify(moved.json));
    assert.equal(moved.json.provider, 'mem0');
    assert.equal(moved.json.projectId, 'proj-1-org_agency');
    assert.equal(moved.json.secretName, 'MEM0_KEY');
    assert.equal(fake.state.projects.get('proj-1-org_agency'), 'atrium-space-a', 'the project is named after the workspace');
  });

  test('remember and recall go to the project, scoped by agent; B\'s memory stays built-in; list and edit are refused clearly', async () => {
    const stored = await api(a.tokens.member, 'POST', `/agents/${agentId}/remember`, { text: 'Acme pays invoices within 30 days', tags: ['billing'] });
    assert.equal(stored.status, 201, JSON.stringify(stored.json));
    const shared = await api(a.tokens.member, 'POST', '/memories', { text: 'Office hours are 9 to 5' });
    assert.equal(shared.status, 201);
    const add = fake.state.requests.find((r) => r.path === '/v1/memories/')!;
    assert.equal(add.body.agent_id, agentId);
    assert.equal(add.body.infer, false, 'remembered as told, no extraction by an LLM');
    assert.equal(add.body.project_id, 'proj-1-org_agency');
    assert.deepEqual((add.body.metadata as { tags: string[] }).tags, ['billing']);
    const none = await platform.db.withPlatform((tx) => tx.query('select count(*)::int as n from memories where workspace_id = $1', [a.workspaceId]));
    assert.equal(none.rows[0].n, 0, 'nothing was kept in PostgreSQL');

    const recalled = await api(a.tokens.member, 'GET', `/agents/${agentId}/recall?query=${encodeURIComponent('when does Acme pay invoices')}`);
    assert.equal(recalled.status, 200, JSON.stringify(recalled.json));
    const hits = recalled.json.data as Array<{ text: string; agentId: string | null; tags: string[]; score: number }>;
    assert.equal(hits[0].text, 'Acme pays invoices within 30 days');
    assert.equal(hits[0].agentId, agentId);
    assert.deepEqual(hits[0].tags, ['billing']);
    assert.ok(hits[0].score > 0);
    const tagged = await api(a.tokens.member, 'GET', `/agents/${agentId}/recall?query=office+hours+invoices&tags=billing`);
    assert.deepEqual((tagged.json.data as Array<{ text: string }>).map((m) => m.text), ['Acme pays invoices within 30 days'], 'every tag is required');
    const sharedOnly = await api(a.tokens.member, 'GET', '/memories/recall?query=office+hours+invoices');
    assert.deepEqual((sharedOnly.json.data as Array<{ text: string }>).map((m) => m.text), ['Office hours are 9 to 5'], 'shared recall never sees an agent\'s memory');

    const before = fake.state.requests.length;
    assert.equal((await api(b.tokens.member, 'POST', '/memories', { text: 'B keeps its own' })).status, 201);
    const bRecall = await api(b.tokens.member, 'GET', '/memories/recall?query=Acme+invoices');
    assert.deepEqual(bRecall.json.data, []);
    assert.equal(fake.state.requests.length, before, 'B never reaches A\'s provider');
    assert.equal((await api(b.tokens.member, 'GET', '/memories/space')).json.provider, 'builtin');

    for (const [method, path] of [['GET', '/memories'], ['GET', `/agents/${agentId}/memories`], ['GET', '/memories/export'], ['DELETE', `/memories/${crypto.randomUUID()}`]] as const) {
      const refused = await api(a.tokens.admin, method, path);
      assert.equal(refused.status, 409, `${method} ${path}`);
      assert.equal(refused.json.code, 'MEMORY_EXTERNAL');
      assert.match(String(refused.json.detail), /proj-1-org_agency/);
    }
  });

  test('a revoked key shows as disconnected, remember answers 502 with the reason; back to built-in, the workspace\'s memory works again', async () => {
    fake.state.key = 'rotated-elsewhere';
    const checked = await api(a.tokens.member, 'POST', '/memories/space/check');
    assert.equal(checked.json.status, 'disconnected');
    assert.match(String(checked.json.lastError), /refused the access key \(HTTP 401\)/);
    const refused = await api(a.tokens.member, 'POST', '/memories', { text: 'Will not be kept' });
    assert.equal(refused.status, 502);
    assert.equal(refused.json.code, 'MEMORY_PROVIDER_UNAVAILABLE');
    fake.state.key = MEM0_KEY;
    assert.equal((await api(a.tokens.member, 'POST', '/memories/space/check')).json.status, 'connected');

    const back = await api(a.tokens.admin, 'PUT', '/memories/space', { provider: 'builtin' });
    assert.equal(back.json.provider, 'builtin');
    assert.equal((await api(a.tokens.member, 'POST', '/memories', { text: 'Kept in PostgreSQL again' })).status, 201);
    assert.equal((await api(a.tokens.member, 'GET', '/memories')).status, 200);
    const audit = await api(a.tokens.owner, 'GET', '/audit/events?limit=100');
    assert.equal(((audit.json.data ?? []) as Array<{ action: string }>).filter((e) => e.action === 'memory_space.updated').length, 2);
  });
});
