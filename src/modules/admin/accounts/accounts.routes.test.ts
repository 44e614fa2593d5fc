// The platform admin runs a client account end to end: PATCH /admin/workspaces/:id (plan,
// subscription, notes, metadata; audited before/after; bad values named) and GET
// /admin/workspaces/:id (the whole picture, with one set of units: Money, fractions, ms).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { createPlatformAdminSession, createTenant } from '../../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../../test/helpers/tenants.ts';
import { uuidv7 } from '../../../kernel/ids.ts';

type Problem = { code: string; status: number; detail?: string; errors?: Array<{ path: string; message: string }> };

describe('admin: a client account end to end', () => {
  let platform: TestPlatform;
  let admin: { userId: string; token: string };
  let t: Tenant;
  let workflowId: string;

  before(async () => {
    platform = await startTestPlatform();
    admin = await createPlatformAdminSession(platform, 'ops@accounts.test', 'Ops');
    t = await createTenant(platform, 'acme-client');
    // A deployed workflow with executions at known prices, API traffic, a request and a ticket.
    workflowId = await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workflows (workspace_id, name, status) values ($1, 'Invoice sync', 'deployed') returning id`, [t.workspaceId]);
      const v = await tx.query<{ id: string }>(`insert into workflow_versions (workspace_id, workflow_id, version, definition) values ($1, $2, 1, '{"steps":[]}') returning id`, [t.workspaceId, w.rows[0].id]);
      await tx.query('update workflows set current_version_id = $3, deployed_version_id = $3, deployed_at = now() where workspace_id = $1 and id = $2', [t.workspaceId, w.rows[0].id, v.rows[0].id]);
      const runs: Array<[string, number, string | null]> = [['completed', 2 * 3600_000, '12.5050'], ['completed', 3600_000, '0.0050'], ['failed', 1800_000, null], ['completed', 40 * 86_400_000, '100']];
      for (const [status, agoMs, revenue] of runs) {
        const at = new Date(Date.now() - agoMs);
        await tx.query(
          `insert into workflow_executions (workspace_id, id, workflow_id, version_id, status, trigger, timeout_ms, created_at, started_at, finished_at, duration_ms, revenue, cost, actor)
           values ($1, $2, $3, $4, $5, 'api', 900000, $6, $6, $6, 1500, $7, $7, '{"type":"user","id":null}')`,
          [t.workspaceId, uuidv7(at.getTime()), w.rows[0].id, v.rows[0].id, status, at, revenue]);
      }
      const log = `insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms, request_id) values ($1, $2, now() - interval '1 hour', 'GET', '/api/v1/x', $3, 5, 'r')`;
      for (const status of [200, 200, 404, 500]) await tx.query(log, [uuidv7(), t.workspaceId, status]);
      return w.rows[0].id;
    });
    const headers = { authorization: `Bearer ${t.tokens.owner}` };
    assert.equal((await platform.app.inject({ method: 'POST', url: '/api/v1/requests', headers, payload: { title: 'Sync invoices to the CRM', frequency: 'daily' } })).statusCode, 201);
    assert.equal((await platform.app.inject({ method: 'POST', url: '/api/v1/tickets', headers, payload: { subject: 'The sync failed twice' } })).statusCode, 201);
  });
  after(async () => {
    await platform.stop();
  });

  function call(method: 'GET' | 'PATCH', url: string, payload?: unknown, token = admin.token) {
    return platform.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  }

  async function accountEvents(): Promise<Array<{ action: string; actor_type: string; actor_id: string; diff: { before: Record<string, unknown>; after: Record<string, unknown> } }>> {
    const { rows } = await platform.db.withPlatform((tx) => tx.query(
      `select action, actor_type, actor_id, diff from audit_events where workspace_id = $1 and action = 'workspace.account_updated' order by id`, [t.workspaceId]));
    return rows as never;
  }

  test('the whole picture: members, account, usage with units, workflows, requests, tickets, audit', async () => {
    const res = await call('GET', `/admin/workspaces/${t.workspaceId}`);
    assert.equal(res.statusCode, 200, res.body);
    const o = res.json();
    assert.equal(o.members.length, 4);
    assert.deepEqual(o.account, { subscription: null, notes: '', metadata: {}, updatedAt: null, updatedBy: null });
    // Last 30 days: 3 executions (the 40-day-old one is out), 2 completed, 1 failed.
    assert.equal(o.usage.executions, 3);
    assert.equal(o.usage.completed, 2);
    assert.equal(o.usage.failed, 1);
    assert.equal(o.usage.successRate, 2 / 3, 'a fraction 0–1, not a percent');
    assert.equal(o.usage.averageDurationMs, 1500);
    // 12.5050 + 0.0050 = 12.5100 → 1251 cents; never a float sum, never a string.
    assert.deepEqual(o.usage.revenue, { amountMinor: 1251, currency: 'EUR' });
    assert.deepEqual([o.usage.apiRequests, o.usage.clientErrors, o.usage.serverErrors], [4, 1, 1]);
    assert.equal(o.workflows.length, 1);
    assert.equal(o.workflows[0].id, workflowId);
    assert.equal(o.workflows[0].deployedVersion, 1);
    assert.equal(o.workflows[0].executionCount, 4);
    assert.ok(o.workflows[0].lastExecution, 'the last run');
    assert.deepEqual([o.requests.total, o.requests.byStatus, o.requests.latest[0].title], [1, { submitted: 1 }, 'Sync invoices to the CRM']);
    assert.deepEqual([o.tickets.total, o.tickets.byStatus, o.tickets.latest[0].subject], [1, { open: 1 }, 'The sync failed twice']);
    assert.ok(o.recentAudit.some((e: { action: string }) => e.action === 'request.created'), JSON.stringify(o.recentAudit.map((e: { action: string }) => e.action)));

    // A chosen window: the 40-day-old execution alone.
    const from = new Date(Date.now() - 41 * 86_400_000).toISOString();
    const to = new Date(Date.now() - 39 * 86_400_000).toISOString();
    const old = (await call('GET', `/admin/workspaces/${t.workspaceId}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json();
    assert.deepEqual([old.usage.executions, old.usage.revenue, old.period.from], [1, { amountMinor: 10000, currency: 'EUR' }, from]);
    const wide = await call('GET', `/admin/workspaces/${t.workspaceId}?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    assert.equal(wide.statusCode, 400);
    assert.equal((wide.json() as Problem).code, 'FILTER_INVALID');
    assert.equal((await call('GET', `/admin/workspaces/${uuidv7()}`)).statusCode, 404);
  });

  test('plan, subscription, notes and metadata change in one audited step', async () => {
    const res = await call('PATCH', `/admin/workspaces/${t.workspaceId}`, {
      plan: 'pro',
      subscription: { amountMinor: 49_900, currency: 'EUR', period: 'month', startsOn: '2026-12-01' },
      notes: 'Signed at the Lyon meetup.',
      metadata: { crmId: 'hs-4411', 'contract.no': 'C-2026-17' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const o = res.json();
    assert.equal(o.plan, 'pro');
    assert.deepEqual(o.account.subscription, { amount: { amountMinor: 49_900, currency: 'EUR' }, period: 'month', status: 'active', startsOn: '2026-12-01', endsOn: null });
    assert.equal(o.account.notes, 'Signed at the Lyon meetup.');
    assert.deepEqual(o.account.metadata, { crmId: 'hs-4411', 'contract.no': 'C-2026-17' });
    assert.equal(o.account.updatedBy, admin.userId);
    const [event] = await accountEvents();
    assert.equal(event.actor_type, 'platform_admin');
    assert.equal(event.actor_id, admin.userId);
    assert.deepEqual(event.diff.before.plan, 'free');
    assert.deepEqual(event.diff.after.plan, 'pro');
    assert.equal(event.diff.before.subscription, null);

    // A partial change merges: the status alone; metadata merges, null removes a key.
    const next = (await call('PATCH', `/admin/workspaces/${t.workspaceId}`, { subscription: { status: 'past_due' }, metadata: { crmId: null, tier: 'gold' } })).json();
    assert.equal(next.account.subscription.status, 'past_due');
    assert.deepEqual(next.account.subscription.amount, { amountMinor: 49_900, currency: 'EUR' });
    assert.deepEqual(next.account.metadata, { 'contract.no': 'C-2026-17', tier: 'gold' });
    const events = await accountEvents();
    assert.equal(events.length, 2);
    assert.deepEqual(events[1].diff.before, { subscription: o.account.subscription && { amountMinor: 49_900, currency: 'EUR', period: 'month', status: 'active', startsOn: '2026-12-01', endsOn: null }, metadata: { crmId: 'hs-4411', tier: null } });
    assert.deepEqual(Object.keys(events[1].diff.after).sort(), ['metadata', 'subscription']);

    // The same values again: nothing changes, nothing is recorded.
    assert.equal((await call('PATCH', `/admin/workspaces/${t.workspaceId}`, { plan: 'pro', notes: 'Signed at the Lyon meetup.' })).statusCode, 200);
    assert.equal((await accountEvents()).length, 2);
    // The workspace's plan is what the rest of the platform reads.
    const listed = (await call('GET', `/admin/workspaces?q=${t.slug}`)).json();
    assert.equal(listed.data[0].plan, 'pro');
  });

  test('bad values are 400 problems naming the field, and nothing is written', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ subscription: { amountMinor: -1 } }, 'VALIDATION_FAILED', 'body.subscription.amountMinor'],
      [{ subscription: { amountMinor: 1.5 } }, 'VALIDATION_FAILED', 'body.subscription.amountMinor'],
      [{ subscription: { amountMinor: '100' } }, 'VALIDATION_FAILED', 'body.subscription.amountMinor'],
      [{ subscription: { currency: 'eur' } }, 'VALIDATION_FAILED', 'body.subscription.currency'],
      [{ subscription: { currency: 'XYZ' } }, 'ACCOUNT_INVALID', 'body.subscription.currency'],
      [{ subscription: { startsOn: '2026-02-30' } }, 'VALIDATION_FAILED', 'body.subscription.startsOn'],
      [{ subscription: { endsOn: '2026-11-30' } }, 'ACCOUNT_INVALID', 'body.subscription.endsOn'],
      [{ subscription: { status: 'paused' } }, 'VALIDATION_FAILED', 'body.subscription.status'],
      [{ plan: 'platinum' }, 'VALIDATION_FAILED', 'body.plan'],
      [{ notes: 'x'.repeat(10_001) }, 'VALIDATION_FAILED', 'body.notes'],
      [{ metadata: { 'has space': 'v' } }, 'VALIDATION_FAILED', 'body.metadata'],
      [{ metadata: { k: 'v'.repeat(501) } }, 'VALIDATION_FAILED', 'body.metadata'],
      [{ metadata: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])) }, 'ACCOUNT_INVALID', 'body.metadata'],
      [{}, 'VALIDATION_FAILED', 'body'],
      [{ unknown: 1 }, 'VALIDATION_FAILED', 'body'],
    ];
    const before = (await call('GET', `/admin/workspaces/${t.workspaceId}`)).json();
    for (const [payload, code, path] of cases) {
      const res = await call('PATCH', `/admin/workspaces/${t.workspaceId}`, payload);
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)}: ${res.body}`);
      const p = res.json() as Problem;
      assert.equal(p.code, code, res.body);
      assert.ok(p.errors?.some((e) => e.path.startsWith(path)), `${path} named in ${res.body}`);
    }
    // A new subscription needs its required fields (after removing the current one).
    assert.equal((await call('PATCH', `/admin/workspaces/${t.workspaceId}`, { subscription: null })).statusCode, 200);
    const incomplete = (await call('PATCH', `/admin/workspaces/${t.workspaceId}`, { subscription: { amountMinor: 100 } })).json() as Problem;
    assert.deepEqual(incomplete.errors?.map((e) => e.path).sort(), ['body.subscription.currency', 'body.subscription.period', 'body.subscription.startsOn']);
    const after = (await call('GET', `/admin/workspaces/${t.workspaceId}`)).json();
    assert.equal(after.account.subscription, null);
    assert.deepEqual(after.account.metadata, before.account.metadata);
    assert.equal(after.plan, before.plan);
  });

  test('only platform admins: a workspace owner is refused, and an unknown workspace is a 404', async () => {
    assert.equal((await call('PATCH', `/admin/workspaces/${t.workspaceId}`, { plan: 'enterprise' }, t.tokens.owner)).statusCode, 403);
    assert.equal((await call('GET', `/admin/workspaces/${t.workspaceId}`, undefined, t.tokens.owner)).statusCode, 403);
    assert.equal((await call('PATCH', `/admin/workspaces/${uuidv7()}`, { plan: 'enterprise' })).statusCode, 404);
  });
});
