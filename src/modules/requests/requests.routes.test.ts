// Workflow requests through the real app: the client creates, lists, reads, edits and withdraws
// its own; another workspace sees none of them (404, empty lists); platform admins move them
// through the pipeline (illegal moves refused with 409), estimate and annotate them; every
// change is stamped in the timeline and audited in the request's workspace chain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { auditEventsOf, createPlatformAdminSession, createTenant } from './requests.fixtures.ts';
import type { Tenant } from './requests.fixtures.ts';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';

describe('workflow requests', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  let admin: { userId: string; token: string };

  before(async () => {
    platform = await startTestPlatform();
    const suffix = randomBytes(3).toString('hex');
    a = await createTenant(platform, `req-a-${suffix}`);
    b = await createTenant(platform, `req-b-${suffix}`);
    admin = await createPlatformAdminSession(platform, 'ops@requests.test', 'Olga Ops');
  });
  after(async () => {
    await platform.stop();
  });

  function call(method: Method, url: string, token: string, payload?: unknown, requestId?: string) {
    return platform.app.inject({
      method, url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function create(tenant: Tenant, title: string, extra: Record<string, unknown> = {}) {
    const res = await call('POST', '/requests', tenant.tokens.member, { title, frequency: 'weekly', ...extra });
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  }

  test('a member submits a request; it starts submitted with a first timeline entry and an audit event', async () => {
    const res = await call('POST', '/requests', a.tokens.member, {
      title: '  Weekly invoice digest ', description: 'Collect invoices from the mailbox', useCase: 'Finance team, every Monday',
      frequency: 'weekly', budget: { amountMinor: 150000, currency: 'EUR' },
    }, 'req-create-0001');
    assert.equal(res.statusCode, 201, res.body);
    const r = res.json();
    assert.equal(r.title, 'Weekly invoice digest');
    assert.equal(r.status, 'submitted');
    assert.equal(r.workspaceId, a.workspaceId);
    assert.deepEqual(r.budget, { amountMinor: 150000, currency: 'EUR' });
    assert.equal(r.estimate, null);
    assert.equal(r.createdBy, a.userIds.member);
    assert.equal(r.timeline.length, 1);
    assert.deepEqual([r.timeline[0].kind, r.timeline[0].toStatus, r.timeline[0].actorId, r.timeline[0].actorName], ['submitted', 'submitted', a.userIds.member, `member of ${a.slug}`]);
    const events = await auditEventsOf(platform, r.id);
    assert.deepEqual(events.map((e) => [e.workspace_id, e.action, e.actor_type, e.actor_id, e.request_id]), [[a.workspaceId, 'request.created', 'user', a.userIds.member, 'req-create-0001']]);
  });

  test('validation: a blank title, an unknown frequency, a bad currency, extra fields are 400', async () => {
    for (const body of [
      { title: '   ', frequency: 'weekly' },
      { title: 'x', frequency: 'sometimes' },
      { title: 'x', frequency: 'daily', budget: { amountMinor: 10, currency: 'euro' } },
      { title: 'x', frequency: 'daily', budget: { amountMinor: -1, currency: 'EUR' } },
      { title: 'x', frequency: 'daily', workspaceId: b.workspaceId },
    ]) {
      const res = await call('POST', '/requests', a.tokens.member, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
  });

  test('permissions: a viewer reads but cannot create; an API-less outsider gets 401', async () => {
    const denied = await call('POST', '/requests', a.tokens.viewer, { title: 'Nope', frequency: 'once' });
    assert.equal(denied.statusCode, 403);
    assert.equal((await call('GET', '/requests', a.tokens.viewer)).statusCode, 200);
    const anonymous = await platform.app.inject({ method: 'GET', url: '/api/v1/requests' });
    assert.equal(anonymous.statusCode, 401);
  });

  test('list: own requests only, newest first, filter by status, cursor pages with a total', async () => {
    const x = await create(a, 'List one');
    const y = await create(a, 'List two');
    await create(b, 'Secret plan of B');
    const all = (await call('GET', '/requests', a.tokens.viewer)).json();
    assert.ok(all.data.every((r: { workspaceId: string }) => r.workspaceId === a.workspaceId));
    assert.deepEqual(all.data.slice(0, 2).map((r: { id: string }) => r.id), [y.id, x.id]);
    assert.equal(all.total, all.data.length);
    assert.ok(!JSON.stringify(all).includes('Secret plan of B'));

    const page1 = (await call('GET', '/requests?limit=1', a.tokens.viewer)).json();
    assert.equal(page1.data.length, 1);
    assert.equal(page1.nextCursor, y.id);
    const page2 = (await call('GET', `/requests?limit=1&cursor=${page1.nextCursor}`, a.tokens.viewer)).json();
    assert.equal(page2.data[0].id, x.id);
    assert.equal(page2.total, all.total);

    const submitted = (await call('GET', '/requests?status=submitted', a.tokens.viewer)).json();
    assert.equal(submitted.total, all.total);
    const deployed = (await call('GET', '/requests?status=deployed', a.tokens.viewer)).json();
    assert.deepEqual([deployed.data, deployed.total], [[], 0]);
  });

  test('isolation: workspace B gets 404 for A\'s request on every route, and A\'s request is unchanged', async () => {
    const r = await create(a, 'Only for A');
    for (const [method, url, payload] of [
      ['GET', `/requests/${r.id}`, undefined],
      ['PATCH', `/requests/${r.id}`, { title: 'Taken over' }],
      ['POST', `/requests/${r.id}/withdraw`, {}],
    ] as const) {
      const res = await call(method, url, b.tokens.owner, payload);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().code, 'REQUEST_NOT_FOUND');
    }
    const again = (await call('GET', `/requests/${r.id}`, a.tokens.viewer)).json();
    assert.deepEqual([again.title, again.status, again.timeline.length], ['Only for A', 'submitted', 1]);
  });

  test('edit while submitted: changes, timeline entry and audit diff; an unchanged edit records nothing', async () => {
    const r = await create(a, 'Draft idea');
    const res = await call('PATCH', `/requests/${r.id}`, a.tokens.member, { title: 'Better idea', budget: { amountMinor: 5000, currency: 'USD' } });
    assert.equal(res.statusCode, 200, res.body);
    const edited = res.json();
    assert.deepEqual([edited.title, edited.budget], ['Better idea', { amountMinor: 5000, currency: 'USD' }]);
    assert.deepEqual(edited.timeline.map((e: { kind: string }) => e.kind), ['submitted', 'updated']);
    assert.deepEqual(edited.timeline[1].details, { fields: ['title', 'budget'] });
    const same = await call('PATCH', `/requests/${r.id}`, a.tokens.member, { title: 'Better idea' });
    assert.equal(same.json().timeline.length, 2);
    const events = await auditEventsOf(platform, r.id);
    assert.deepEqual(events.map((e) => e.action), ['request.created', 'request.updated']);
    const cleared = await call('PATCH', `/requests/${r.id}`, a.tokens.member, { budget: null });
    assert.equal(cleared.json().budget, null);
    assert.equal((await call('PATCH', `/requests/${r.id}`, a.tokens.member, {})).statusCode, 400);
  });

  test('the admin pipeline: one step at a time, illegal moves 409, each move stamped and audited in A\'s chain', async () => {
    const r = await create(a, 'CRM sync');
    const steps = ['reviewing', 'negotiation', 'contract_signed', 'development', 'deployed'] as const;
    let from = 'submitted';
    for (const to of steps) {
      const res = await call('POST', `/admin/requests/${r.id}/transition`, admin.token, { to, note: `now ${to}`, expectedStatus: from }, `move-${to}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, to);
      assert.equal(res.json().workspace.id, a.workspaceId);
      from = to;
    }
    const detail = (await call('GET', `/requests/${r.id}`, a.tokens.viewer)).json();
    assert.equal(detail.status, 'deployed');
    assert.ok(detail.closedAt);
    const moves = detail.timeline.filter((e: { kind: string }) => e.kind === 'status_changed');
    assert.deepEqual(moves.map((e: { fromStatus: string; toStatus: string }) => `${e.fromStatus}>${e.toStatus}`),
      ['submitted>reviewing', 'reviewing>negotiation', 'negotiation>contract_signed', 'contract_signed>development', 'development>deployed']);
    for (const m of moves) {
      assert.equal(m.actorType, 'platform_admin');
      assert.equal(m.actorId, admin.userId);
      assert.equal(m.actorName, 'Olga Ops');
      assert.equal(m.note, `now ${m.toStatus}`);
    }
    const events = (await auditEventsOf(platform, r.id)).filter((e) => e.action === 'request.status_changed');
    assert.equal(events.length, 5);
    for (const e of events) assert.deepEqual([e.workspace_id, e.actor_type, e.actor_id], [a.workspaceId, 'platform_admin', admin.userId]);
    assert.deepEqual(events.map((e) => e.request_id), steps.map((s) => `move-${s}`));

    // A final status never moves again.
    const stuck = await call('POST', `/admin/requests/${r.id}/transition`, admin.token, { to: 'rejected' });
    assert.equal(stuck.statusCode, 409);
    assert.equal(stuck.json().code, 'REQUEST_TRANSITION_INVALID');
    assert.deepEqual(stuck.json().allowed, []);
  });

  test('illegal transitions: skipping a step or going back is 409 with a stable code; nothing is written', async () => {
    const r = await create(a, 'Skip attempt');
    const skip = await call('POST', `/admin/requests/${r.id}/transition`, admin.token, { to: 'development' });
    assert.equal(skip.statusCode, 409);
    assert.match(skip.headers['content-type'] as string, /application\/problem\+json/);
    const problem = skip.json();
    assert.equal(problem.code, 'REQUEST_TRANSITION_INVALID');
    assert.deepEqual([problem.from, problem.to, problem.allowed], ['submitted', 'development', ['reviewing', 'rejected']]);
    const stale = await call('POST', `/admin/requests/${r.id}/transition`, admin.token, { to: 'negotiation', expectedStatus: 'reviewing' });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().code, 'REQUEST_STATUS_CHANGED');
    const after = (await call('GET', `/requests/${r.id}`, a.tokens.viewer)).json();
    assert.deepEqual([after.status, after.timeline.length], ['submitted', 1]);
    assert.deepEqual((await auditEventsOf(platform, r.id)).map((e) => e.action), ['request.created']);

    const rejected = await call('POST', `/admin/requests/${r.id}/transition`, admin.token, { to: 'rejected', note: 'Out of scope' });
    assert.equal(rejected.statusCode, 200);
    assert.equal(rejected.json().status, 'rejected');
    assert.deepEqual(rejected.json().nextStatuses, []);
  });

  test('estimate and notes: the client sees the estimate and public notes, never internal ones', async () => {
    const r = await create(a, 'Lead scoring');
    const est = await call('PUT', `/admin/requests/${r.id}/estimate`, admin.token, { amountMinor: 420000, currency: 'EUR', deliveryDate: '2031-03-15', note: 'Two sprints' });
    assert.equal(est.statusCode, 200, est.body);
    assert.deepEqual(est.json().estimate, { amountMinor: 420000, currency: 'EUR', deliveryDate: '2031-03-15' });
    assert.equal((await call('POST', `/admin/requests/${r.id}/notes`, admin.token, { note: 'We will call you Tuesday' })).statusCode, 201);
    const internal = await call('POST', `/admin/requests/${r.id}/notes`, admin.token, { note: 'Margin is thin on this one', isInternal: true });
    assert.equal(internal.statusCode, 201);
    assert.ok(internal.json().timeline.some((e: { note: string; isInternal: boolean }) => e.isInternal && e.note === 'Margin is thin on this one'));

    const seen = (await call('GET', `/requests/${r.id}`, a.tokens.viewer));
    const detail = seen.json();
    assert.deepEqual(detail.estimate, { amountMinor: 420000, currency: 'EUR', deliveryDate: '2031-03-15' });
    assert.deepEqual(detail.timeline.map((e: { kind: string }) => e.kind), ['submitted', 'estimated', 'note']);
    assert.ok(!seen.body.includes('Margin is thin'));
    assert.ok(detail.timeline.every((e: { isInternal: boolean }) => !e.isInternal));
    assert.deepEqual((await auditEventsOf(platform, r.id)).map((e) => [e.action, e.workspace_id]),
      [['request.created', a.workspaceId], ['request.estimated', a.workspaceId], ['request.noted', a.workspaceId], ['request.noted', a.workspaceId]]);
  });

  test('once under review the client can no longer edit; withdraw works until a contract is signed', async () => {
    const r = await create(a, 'Changing minds');
    await call('POST', `/admin/requests/${r.id}/transition`, admin.token, { to: 'reviewing' });
    const edit = await call('PATCH', `/requests/${r.id}`, a.tokens.member, { title: 'Too late' });
    assert.equal(edit.statusCode, 409);
    assert.equal(edit.json().code, 'REQUEST_NOT_EDITABLE');
    const withdrawn = await call('POST', `/requests/${r.id}/withdraw`, a.tokens.member, { reason: 'Budget cut' });
    assert.equal(withdrawn.statusCode, 200, withdrawn.body);
    assert.equal(withdrawn.json().status, 'withdrawn');
    const last = withdrawn.json().timeline.at(-1);
    assert.deepEqual([last.kind, last.fromStatus, last.toStatus, last.note], ['withdrawn', 'reviewing', 'withdrawn', 'Budget cut']);
    const again = await call('POST', `/requests/${r.id}/withdraw`, a.tokens.member);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'REQUEST_NOT_WITHDRAWABLE');

    const signed = await create(a, 'Signed deal');
    for (const to of ['reviewing', 'negotiation', 'contract_signed']) await call('POST', `/admin/requests/${signed.id}/transition`, admin.token, { to });
    assert.equal((await call('POST', `/requests/${signed.id}/withdraw`, a.tokens.member, {})).json().code, 'REQUEST_NOT_WITHDRAWABLE');
    assert.deepEqual((await auditEventsOf(platform, r.id)).map((e) => e.action), ['request.created', 'request.status_changed', 'request.withdrawn']);
  });

  test('admin board: every workspace, filters by open status and workspace; non-admins get 403', async () => {
    const boardRes = await call('GET', '/admin/requests?status=open&limit=500', admin.token);
    assert.equal(boardRes.statusCode, 200, boardRes.body);
    const board = boardRes.json();
    const workspaces = new Set(board.data.map((r: { workspace: { id: string } }) => r.workspace.id));
    assert.ok(workspaces.has(a.workspaceId) && workspaces.has(b.workspaceId));
    assert.ok(board.data.every((r: { status: string }) => !['deployed', 'rejected', 'withdrawn'].includes(r.status)));
    assert.equal(board.total, board.data.length);
    const onlyB = (await call('GET', `/admin/requests?workspaceId=${b.workspaceId}`, admin.token)).json();
    assert.ok(onlyB.data.length >= 1);
    assert.ok(onlyB.data.every((r: { workspace: { slug: string } }) => r.workspace.slug === b.slug));
    const some = onlyB.data[0];
    assert.deepEqual(some.nextStatuses, ['reviewing', 'rejected']);

    for (const token of [a.tokens.owner, b.tokens.owner]) {
      assert.equal((await call('GET', '/admin/requests', token)).statusCode, 403);
      assert.equal((await call('POST', `/admin/requests/${some.id}/transition`, token, { to: 'reviewing' })).statusCode, 403);
    }
    const missing = await call('GET', '/admin/requests/0190a2b4-0000-7000-8000-000000000000', admin.token);
    assert.equal(missing.statusCode, 404);
  });
});
