// Support tickets through the real app: the client opens, lists, reads, replies and closes its
// own; another workspace gets 404 and empty lists; a linked execution must be the workspace's;
// platform admins see every workspace's tickets, filter, assign (platform admins only), change
// status and priority, reply and write internal notes the client never sees; every change is
// audited in the ticket's workspace chain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { auditEventsOf, createPlatformAdminSession, createTenant, createExecution } from './support.fixtures.ts';
import type { Tenant } from './support.fixtures.ts';

type Method = 'GET' | 'POST' | 'PATCH';

describe('support tickets', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  let admin: { userId: string; token: string };
  let admin2: { userId: string; token: string };

  before(async () => {
    platform = await startTestPlatform();
    const suffix = randomBytes(3).toString('hex');
    a = await createTenant(platform, `tix-a-${suffix}`);
    b = await createTenant(platform, `tix-b-${suffix}`);
    admin = await createPlatformAdminSession(platform, 'first@support.test', 'Fay First');
    admin2 = await createPlatformAdminSession(platform, 'second@support.test', 'Sam Second');
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

  async function open(tenant: Tenant, subject: string, extra: Record<string, unknown> = {}) {
    const res = await call('POST', '/tickets', tenant.tokens.member, { subject, description: 'It broke', ...extra });
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  }

  test('a member opens a ticket: open, normal priority, unassigned, audited', async () => {
    const res = await call('POST', '/tickets', a.tokens.member, { subject: ' Export fails ', description: 'Since Monday', priority: 'high' }, 'tix-create-01');
    assert.equal(res.statusCode, 201, res.body);
    const t = res.json();
    assert.deepEqual([t.subject, t.status, t.priority, t.assignee, t.executionId, t.createdBy, t.comments], ['Export fails', 'open', 'high', null, null, a.userIds.member, []]);
    assert.equal((await open(a, 'Default priority')).priority, 'normal');
    const events = await auditEventsOf(platform, t.id);
    assert.deepEqual(events.map((e) => [e.workspace_id, e.action, e.actor_type, e.actor_id, e.request_id]), [[a.workspaceId, 'ticket.created', 'user', a.userIds.member, 'tix-create-01']]);
  });

  test('validation and permissions', async () => {
    for (const body of [{ subject: '' }, { subject: 'x', priority: 'critical' }, { subject: 'x', status: 'closed' }, { subject: 'x', executionId: 'nope' }]) {
      const res = await call('POST', '/tickets', a.tokens.member, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await call('POST', '/tickets', a.tokens.viewer, { subject: 'Viewer' })).statusCode, 403);
    assert.equal((await call('GET', '/tickets', a.tokens.viewer)).statusCode, 200);
    const t = await open(a, 'Viewer cannot reply');
    assert.equal((await call('POST', `/tickets/${t.id}/comments`, a.tokens.viewer, { body: 'hi' })).statusCode, 403);
  });

  test('a linked execution must be one of the workspace\'s: B\'s execution is 404 for A', async () => {
    const mine = await createExecution(platform, a.workspaceId);
    const theirs = await createExecution(platform, b.workspaceId);
    const linked = await open(a, 'Run failed', { executionId: mine });
    assert.equal(linked.executionId, mine);
    const res = await call('POST', '/tickets', a.tokens.member, { subject: 'Not mine', executionId: theirs });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'TICKET_EXECUTION_NOT_FOUND');
    const list = (await call('GET', '/tickets', a.tokens.viewer)).json();
    assert.ok(!list.data.some((t: { subject: string }) => t.subject === 'Not mine'), 'nothing written');
  });

  test('isolation: B gets 404 on A\'s ticket everywhere, and its list holds none of A\'s', async () => {
    const t = await open(a, 'Private to A');
    for (const [method, url, payload] of [
      ['GET', `/tickets/${t.id}`, undefined],
      ['POST', `/tickets/${t.id}/comments`, { body: 'from B' }],
      ['POST', `/tickets/${t.id}/close`, undefined],
    ] as const) {
      const res = await call(method, url, b.tokens.owner, payload);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().code, 'TICKET_NOT_FOUND');
    }
    const listB = await call('GET', '/tickets', b.tokens.owner);
    assert.equal(listB.statusCode, 200);
    assert.ok(!listB.body.includes('Private to A'));
    assert.ok(listB.json().data.every((x: { workspaceId: string }) => x.workspaceId === b.workspaceId));
    const detail = (await call('GET', `/tickets/${t.id}`, a.tokens.viewer)).json();
    assert.deepEqual([detail.status, detail.comments], ['open', []]);
  });

  test('list: filters by status and priority, cursor pages with a total', async () => {
    const urgent = await open(a, 'Everything is down', { priority: 'urgent' });
    const page = (await call('GET', '/tickets?priority=urgent', a.tokens.viewer)).json();
    assert.deepEqual(page.data.map((t: { id: string }) => t.id), [urgent.id]);
    assert.equal(page.total, 1);
    const all = (await call('GET', '/tickets', a.tokens.viewer)).json();
    const first = (await call('GET', '/tickets?limit=2', a.tokens.viewer)).json();
    const second = (await call('GET', `/tickets?limit=2&cursor=${first.nextCursor}`, a.tokens.viewer)).json();
    assert.deepEqual([...first.data, ...second.data].map((t: { id: string }) => t.id), all.data.slice(0, 4).map((t: { id: string }) => t.id));
    assert.equal((await call('GET', '/tickets?status=closed', a.tokens.viewer)).json().total, 0);
  });

  test('the thread: admin replies and internal notes; the client never sees the notes', async () => {
    const t = await open(a, 'Webhook retries');
    assert.equal((await call('POST', `/tickets/${t.id}/comments`, a.tokens.member, { body: 'Any news?' })).statusCode, 201);
    const reply = await call('POST', `/admin/tickets/${t.id}/comments`, admin.token, { body: 'Looking into it' }, 'tix-reply-01');
    assert.equal(reply.statusCode, 201, reply.body);
    assert.deepEqual([reply.json().authorType, reply.json().authorId, reply.json().authorName, reply.json().isInternal], ['platform_admin', admin.userId, 'Fay First', false]);
    const note = await call('POST', `/admin/tickets/${t.id}/comments`, admin.token, { body: 'Customer misconfigured the secret', isInternal: true });
    assert.equal(note.statusCode, 201);

    const seen = await call('GET', `/tickets/${t.id}`, a.tokens.viewer);
    assert.deepEqual(seen.json().comments.map((c: { body: string }) => c.body), ['Any news?', 'Looking into it']);
    assert.ok(!seen.body.includes('misconfigured'));
    const adminView = (await call('GET', `/admin/tickets/${t.id}`, admin.token)).json();
    assert.deepEqual(adminView.comments.map((c: { isInternal: boolean }) => c.isInternal), [false, false, true]);
    assert.equal(adminView.workspace.id, a.workspaceId);

    const events = await auditEventsOf(platform, t.id);
    assert.deepEqual(events.map((e) => [e.action, e.actor_type, e.workspace_id]), [
      ['ticket.created', 'user', a.workspaceId], ['ticket.commented', 'user', a.workspaceId],
      ['ticket.commented', 'platform_admin', a.workspaceId], ['ticket.noted', 'platform_admin', a.workspaceId],
    ]);
    assert.equal(events[2].request_id, 'tix-reply-01');
  });

  test('admin: assign to a platform admin only, change status and priority; a client reply reopens; closed takes no reply', async () => {
    const t = await open(a, 'Slow dashboard');
    const notAdmin = await call('PATCH', `/admin/tickets/${t.id}`, admin.token, { assigneeId: a.userIds.owner });
    assert.equal(notAdmin.statusCode, 422);
    assert.equal(notAdmin.json().code, 'TICKET_ASSIGNEE_INVALID');

    const assigned = await call('PATCH', `/admin/tickets/${t.id}`, admin.token, { assigneeId: admin2.userId, status: 'waiting', priority: 'high' });
    assert.equal(assigned.statusCode, 200, assigned.body);
    assert.deepEqual([assigned.json().assignee, assigned.json().status, assigned.json().priority], [{ id: admin2.userId, name: 'Sam Second' }, 'waiting', 'high']);
    const seen = (await call('GET', `/tickets/${t.id}`, a.tokens.viewer)).json();
    assert.deepEqual(seen.assignee, { id: admin2.userId, name: 'Sam Second' });

    await call('POST', `/tickets/${t.id}/comments`, a.tokens.member, { body: 'Here is the info' });
    assert.equal((await call('GET', `/tickets/${t.id}`, a.tokens.viewer)).json().status, 'open');

    const resolved = (await call('PATCH', `/admin/tickets/${t.id}`, admin.token, { status: 'resolved' })).json();
    assert.equal(resolved.status, 'resolved');
    assert.ok(resolved.resolvedAt);
    const closed = await call('POST', `/tickets/${t.id}/close`, a.tokens.member);
    assert.equal(closed.statusCode, 200);
    assert.equal(closed.json().status, 'closed');
    assert.ok(closed.json().closedAt);
    const late = await call('POST', `/tickets/${t.id}/comments`, a.tokens.member, { body: 'One more thing' });
    assert.equal(late.statusCode, 409);
    assert.equal(late.json().code, 'TICKET_CLOSED');

    const unassigned = (await call('PATCH', `/admin/tickets/${t.id}`, admin.token, { assigneeId: null })).json();
    assert.equal(unassigned.assignee, null);
    const updates = (await auditEventsOf(platform, t.id)).filter((e) => e.action === 'ticket.updated');
    assert.equal(updates.length, 3);
    assert.ok(updates.every((e) => e.actor_type === 'platform_admin' && e.actor_id === admin.userId && e.workspace_id === a.workspaceId));
    const actions = (await auditEventsOf(platform, t.id)).map((e) => e.action);
    assert.ok(actions.includes('ticket.closed'));
  });

  test('admin list: every workspace, filters (active, priority, assignee, none, workspace); assignees; 403 for others', async () => {
    const bt = await open(b, 'B needs help', { priority: 'urgent' });
    await call('PATCH', `/admin/tickets/${bt.id}`, admin.token, { assigneeId: admin.userId });
    const all = (await call('GET', '/admin/tickets?limit=200', admin.token)).json();
    const ws = new Set(all.data.map((t: { workspace: { id: string } }) => t.workspace.id));
    assert.ok(ws.has(a.workspaceId) && ws.has(b.workspaceId));
    assert.equal(all.total, all.data.length);
    const rank = { urgent: 0, high: 1, normal: 2, low: 3 } as const;
    const ranks = all.data.map((t: { priority: keyof typeof rank }) => rank[t.priority]);
    assert.deepEqual(ranks, [...ranks].sort((x: number, y: number) => x - y), 'most urgent first');

    const mine = (await call('GET', `/admin/tickets?assigneeId=${admin.userId}`, admin.token)).json();
    assert.ok(mine.data.some((t: { id: string }) => t.id === bt.id));
    assert.ok(mine.data.every((t: { assignee: { id: string } | null }) => t.assignee?.id === admin.userId));
    const none = (await call('GET', '/admin/tickets?assigneeId=none', admin.token)).json();
    assert.ok(none.data.length > 0 && none.data.every((t: { assignee: unknown }) => t.assignee === null));
    const active = (await call('GET', '/admin/tickets?status=active', admin.token)).json();
    assert.ok(active.data.every((t: { status: string }) => ['open', 'in_progress', 'waiting'].includes(t.status)));
    const onlyB = (await call('GET', `/admin/tickets?workspaceId=${b.workspaceId}&priority=urgent`, admin.token)).json();
    assert.deepEqual(onlyB.data.map((t: { id: string }) => t.id), [bt.id]);
    assert.equal((await call('GET', '/admin/tickets?assigneeId=someone', admin.token)).statusCode, 400);

    const assignees = (await call('GET', '/admin/tickets/assignees', admin.token)).json();
    assert.deepEqual(assignees.data.map((u: { name: string }) => u.name), ['Fay First', 'Sam Second']);

    for (const token of [a.tokens.owner, b.tokens.owner]) {
      assert.equal((await call('GET', '/admin/tickets', token)).statusCode, 403);
      assert.equal((await call('PATCH', `/admin/tickets/${bt.id}`, token, { status: 'closed' })).statusCode, 403);
      assert.equal((await call('GET', '/admin/tickets/assignees', token)).statusCode, 403);
    }
  });
});
