// The platform admin's dashboards through the real app, from rows seeded across two
// workspaces: executions in 24 h by status, errors (5xx and failed executions), revenue this
// month, active workspaces, the hourly series, recent activity, per-workflow stats, the error
// listing with its filters and pages; uptime from health samples; admin-only access.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AdminError, AdminWorkflowStats, Dashboard } from './index.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Execution = { status: string; createdAgo: number; finishedAgo?: number; durationMs?: number; revenue?: number; cost?: number; error?: Record<string, unknown> };

describe('platform admin dashboards', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let ownerOfA: string;
  let wsA: string;
  let wsB: string;
  let wfA: string;
  let wfB: string;
  const seededAt = new Date();
  const executionIds = new Map<string, string>();
  let expectedMonthRevenue = 0;

  before(async () => {
    platform = await startTestPlatform();
    const admin = await platform.admin.createPlatformAdmin({ email: 'root@dash.test', password: 'operator password 1', name: 'Root' });
    adminToken = (await platform.db.withWorkspace(admin.workspace.id, (tx) => platform.identity.sessions.openSession(tx, { userId: admin.user.id, workspaceId: admin.workspace.id, role: 'owner', isPlatformAdmin: true }))).accessToken;
    const ids = await platform.db.withPlatform(async (tx) => {
      const a = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('dash-a', 'Dash A') returning id`);
      const b = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('dash-b', 'Dash B') returning id`);
      const u = await tx.query<{ id: string }>(`insert into users (email, name) values ('owner@dash-a.test', 'Owner A') returning id`);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [a.rows[0].id, u.rows[0].id]);
      return { a: a.rows[0].id, b: b.rows[0].id, owner: u.rows[0].id };
    });
    wsA = ids.a;
    wsB = ids.b;
    ownerOfA = (await platform.db.withWorkspace(wsA, (tx) => platform.identity.sessions.openSession(tx, { userId: ids.owner, workspaceId: wsA, role: 'owner', isPlatformAdmin: false }))).accessToken;

    await platform.db.withPlatform(async (tx) => {
      wfA = await workflow(tx, wsA, 'Invoice sync');
      wfB = await workflow(tx, wsB, 'Lead scoring');
      await executions(tx, wsA, wfA, {
        a1: { status: 'completed', createdAgo: 2 * HOUR, finishedAgo: 2 * HOUR - 1000, durationMs: 1000, revenue: 10.5, cost: 1 },
        a2: { status: 'completed', createdAgo: 3 * HOUR, finishedAgo: 3 * HOUR - 3000, durationMs: 3000, revenue: 4.5, cost: 0.5 },
        a3: { status: 'failed', createdAgo: HOUR, finishedAgo: HOUR - 500, durationMs: 500, error: { message: 'Step "fetch" answered 502', code: 'STEP_FAILED' } },
        a4: { status: 'completed', createdAgo: 40 * DAY, finishedAgo: 40 * DAY, durationMs: 100, revenue: 100 },
      });
      await executions(tx, wsB, wfB, {
        b1: { status: 'timed_out', createdAgo: 30 * MINUTE, finishedAgo: 10 * MINUTE, error: { message: 'Timed out after 900000 ms', code: 'TIMED_OUT' } },
        b2: { status: 'processing', createdAgo: 5 * MINUTE },
        b3: { status: 'pending', createdAgo: MINUTE },
        b4: { status: 'completed', createdAgo: 25 * HOUR, finishedAgo: 25 * HOUR - 2000, durationMs: 2000, revenue: 7 },
      });
      const log = `insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms, error_code, request_id, response_body)
                   values ($1, $2, $3, $4, $5, $6, 12, $7, $8, $9)`;
      await tx.query(log, [uuidv7(), wsA, ago(4 * MINUTE), 'POST', '/api/v1/secrets/:name', 500, 'INTERNAL', 'req-500-a', { title: 'Internal server error', code: 'INTERNAL' }]);
      await tx.query(log, [uuidv7(), null, ago(6 * MINUTE), 'POST', '/api/v1/auth/login', 503, 'UNAVAILABLE', 'req-503', { title: 'Service unavailable', detail: 'Database unreachable' }]);
      await tx.query(log, [uuidv7(), wsA, ago(2 * MINUTE), 'GET', '/api/v1/members', 404, 'NOT_FOUND', 'req-404-a', { title: 'Not found' }]);
      await tx.query(log, [uuidv7(), wsB, ago(26 * HOUR), 'GET', '/api/v1/members', 500, 'INTERNAL', 'req-500-old', null]);
    });
    const monthStart = Date.UTC(seededAt.getUTCFullYear(), seededAt.getUTCMonth(), 1);
    for (const [finishedAgo, revenue] of [[2 * HOUR - 1000, 10.5], [3 * HOUR - 3000, 4.5], [40 * DAY, 100], [25 * HOUR - 2000, 7]] as const) {
      if (seededAt.getTime() - finishedAgo >= monthStart) expectedMonthRevenue += revenue;
    }
  });
  after(async () => {
    await platform.stop();
  });

  function ago(ms: number): Date {
    return new Date(seededAt.getTime() - ms);
  }

  async function workflow(tx: Tx, workspaceId: string, name: string): Promise<string> {
    const w = await tx.query<{ id: string }>(`insert into workflows (workspace_id, name, status) values ($1, $2, 'deployed') returning id`, [workspaceId, name]);
    const v = await tx.query<{ id: string }>(`insert into workflow_versions (workspace_id, workflow_id, version, definition) values ($1, $2, 1, '{"steps":[]}') returning id`, [workspaceId, w.rows[0].id]);
    await tx.query('update workflows set current_version_id = $3, deployed_version_id = $3 where workspace_id = $1 and id = $2', [workspaceId, w.rows[0].id, v.rows[0].id]);
    return w.rows[0].id;
  }

  async function executions(tx: Tx, workspaceId: string, workflowId: string, list: Record<string, Execution>): Promise<void> {
    const { rows } = await tx.query<{ id: string }>('select deployed_version_id as id from workflows where workspace_id = $1 and id = $2', [workspaceId, workflowId]);
    for (const [key, e] of Object.entries(list)) {
      const createdAt = ago(e.createdAgo);
      // Ids minted at the execution's creation time, as the application does (UUIDv7).
      const id = uuidv7(createdAt.getTime());
      executionIds.set(key, id);
      await tx.query(
        `insert into workflow_executions (workspace_id, id, workflow_id, version_id, status, trigger, timeout_ms, created_at, started_at, finished_at, duration_ms, revenue, cost, error, actor)
         values ($1, $2, $3, $4, $5, 'api', 900000, $6, $6, $7, $8, $9, $10, $11, '{"type":"user","id":null}')`,
        [workspaceId, id, workflowId, rows[0].id, e.status, createdAt, e.finishedAgo === undefined ? null : ago(e.finishedAgo), e.durationMs ?? null, e.revenue ?? null, e.cost ?? null, e.error ?? null],
      );
    }
  }

  function get(url: string, token: string | null) {
    return platform.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
  }

  async function getOk(url: string, token: string) {
    const res = await get(url, token);
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res;
  }

  test('admin only: a workspace owner is refused (403), no token is 401', async () => {
    for (const url of ['/admin/dashboard', '/admin/workflows/stats', '/admin/errors']) {
      assert.equal((await get(url, ownerOfA)).statusCode, 403, url);
      assert.equal((await get(url, null)).statusCode, 401, url);
    }
  });

  test('dashboard: executions, errors, revenue, workspaces, hourly series, activity, queues', async () => {
    const res = await get('/admin/dashboard', adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json() as Dashboard;
    assert.deepEqual(d.executions24h, { total: 6, byStatus: { pending: 1, processing: 1, completed: 2, failed: 1, cancelled: 0, timed_out: 1 } });
    assert.deepEqual(d.errors24h, { total: 3, serverErrors: 2, failedExecutions: 1, timedOutExecutions: 1 });
    assert.deepEqual(d.revenueThisMonth.revenue, { amountMinor: Math.round(expectedMonthRevenue * 100), currency: 'EUR' }, 'money in minor units with its currency');
    assert.equal(d.revenueThisMonth.monthStart, new Date(Date.UTC(seededAt.getUTCFullYear(), seededAt.getUTCMonth(), 1)).toISOString());
    // A (API requests and executions) and B (executions) are active; the admin's Operations workspace is not.
    assert.deepEqual(d.workspaces, { total: 3, active24h: 2, active30d: 2 });
    assert.equal(d.hourly.length, 24);
    assert.equal(d.hourly.reduce((s, h) => s + h.executions, 0), 6);
    assert.equal(d.hourly.reduce((s, h) => s + h.failedExecutions, 0), 2);
    assert.equal(d.hourly.reduce((s, h) => s + h.serverErrors, 0), 2);
    const hours = d.hourly.map((h) => Date.parse(h.hour));
    assert.ok(hours.every((h, i) => i === 0 || h - hours[i - 1] === HOUR), 'consecutive hours, oldest first');
    const failed = d.recentActivity.find((a) => a.id === executionIds.get('a3'));
    assert.ok(failed, 'the failed execution is in the recent activity');
    assert.equal(failed.action, 'execution.failed');
    assert.equal(failed.workspaceName, 'Dash A');
    assert.equal(failed.label, 'Invoice sync');
    assert.ok(d.recentActivity.some((a) => a.kind === 'audit'), 'audit events too (the platform admin\'s creation)');
    const times = d.recentActivity.map((a) => a.occurredAt);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.ok(d.jobs, 'the job engine answers');
    assert.ok(Array.isArray(d.jobs.queues));
  });

  test('workflow stats: per workflow across workspaces, sorted and paginated', async () => {
    const res = await get('/admin/workflows/stats', adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json() as { data: AdminWorkflowStats[]; total: number };
    assert.equal(page.total, 2);
    const [first, second] = page.data;
    // Default: most executions first (B has 4 in 30 days, A 3: a4 is 40 days old).
    assert.equal(first.workflowId, wfB);
    assert.equal(second.workflowId, wfA);
    assert.deepEqual(
      { executions: second.executions, succeeded: second.succeeded, failed: second.failed, successRate: second.successRate, avgDurationMs: second.avgDurationMs, revenue: second.revenue, cost: second.cost, workspaceName: second.workspaceName, workflowName: second.workflowName },
      { executions: 3, succeeded: 2, failed: 1, successRate: 0.6667, avgDurationMs: 2000, revenue: { amountMinor: 1500, currency: 'EUR' }, cost: { amountMinor: 150, currency: 'EUR' }, workspaceName: 'Dash A', workflowName: 'Invoice sync' },
    );
    assert.deepEqual(
      { executions: first.executions, succeeded: first.succeeded, timedOut: first.timedOut, inProgress: first.inProgress, successRate: first.successRate, revenue: first.revenue },
      { executions: 4, succeeded: 1, timedOut: 1, inProgress: 2, successRate: 0.5, revenue: { amountMinor: 700, currency: 'EUR' } },
    );
    const byRevenue = (await get('/admin/workflows/stats?sort=revenue&order=desc', adminToken)).json() as { data: AdminWorkflowStats[] };
    assert.deepEqual(byRevenue.data.map((w) => w.workflowId), [wfA, wfB]);
    const onlyA = (await get(`/admin/workflows/stats?workspaceId=${wsA}`, adminToken)).json() as { data: AdminWorkflowStats[]; total: number };
    assert.deepEqual([onlyA.total, onlyA.data.map((w) => w.workflowId)], [1, [wfA]]);
    const second2 = (await get('/admin/workflows/stats?limit=1&offset=1', adminToken)).json() as { data: AdminWorkflowStats[]; total: number };
    assert.deepEqual([second2.total, second2.data.map((w) => w.workflowId)], [2, [wfA]]);
    const beyond = (await get('/admin/workflows/stats?limit=1&offset=5', adminToken)).json() as { data: AdminWorkflowStats[]; total: number };
    assert.deepEqual([beyond.total, beyond.data], [2, []]);
    const wide = (await get(`/admin/workflows/stats?from=${encodeURIComponent(ago(45 * DAY).toISOString())}`, adminToken)).json() as { data: AdminWorkflowStats[] };
    assert.equal(wide.data.find((w) => w.workflowId === wfA)?.executions, 4, 'a wider window includes the 40-day-old execution');
    assert.equal((await get('/admin/workflows/stats?sort=nope', adminToken)).statusCode, 400);
  });

  test('errors: 5xx and failed executions are errors, timed out is a warning, 4xx not listed', async () => {
    const all = (await getOk('/admin/errors', adminToken)).json() as { data: AdminError[]; nextCursor: string | null };
    assert.deepEqual(all.data.map((e) => [e.source, e.severity, e.code]), [
      ['http', 'error', 'INTERNAL'], // 4 min ago
      ['http', 'error', 'UNAVAILABLE'], // 6 min ago
      ['execution', 'warning', 'TIMED_OUT'], // 10 min ago
      ['execution', 'error', 'STEP_FAILED'], // 1 h ago
      ['http', 'error', 'INTERNAL'], // 26 h ago
    ]);
    assert.equal(all.nextCursor, null);
    const failed = all.data[3];
    assert.deepEqual(failed.execution, { executionId: executionIds.get('a3'), workflowId: wfA, workflowName: 'Invoice sync', status: 'failed' });
    assert.equal(failed.message, 'Step "fetch" answered 502');
    assert.equal(failed.workspaceName, 'Dash A');
    assert.deepEqual(all.data[1].http, { method: 'POST', endpoint: '/api/v1/auth/login', status: 503, requestId: 'req-503' });
    assert.equal(all.data[1].workspaceId, null);
    assert.equal(all.data[1].message, 'Database unreachable');

    const warnings = (await getOk('/admin/errors?severity=warning', adminToken)).json() as { data: AdminError[] };
    assert.deepEqual(warnings.data.map((e) => e.id), [executionIds.get('b1')]);
    const errors = (await getOk('/admin/errors?severity=error', adminToken)).json() as { data: AdminError[] };
    assert.equal(errors.data.length, 4);
    assert.ok(errors.data.every((e) => e.severity === 'error'));
    const http = (await getOk('/admin/errors?source=http', adminToken)).json() as { data: AdminError[] };
    assert.ok(http.data.length === 3 && http.data.every((e) => e.source === 'http'));
    const ofA = (await getOk(`/admin/errors?workspaceId=${wsA}`, adminToken)).json() as { data: AdminError[] };
    assert.deepEqual(ofA.data.map((e) => e.code), ['INTERNAL', 'STEP_FAILED']);
    const recent = (await getOk(`/admin/errors?from=${encodeURIComponent(ago(DAY).toISOString())}`, adminToken)).json() as { data: AdminError[] };
    assert.equal(recent.data.length, 4);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await getOk(`/admin/errors?limit=2${cursor ? `&cursor=${cursor}` : ''}`, adminToken)).json() as { data: AdminError[]; nextCursor: string | null };
      assert.ok(page.data.length <= 2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, all.data.map((e) => e.id));
    assert.equal((await get('/admin/errors?cursor=zzz', adminToken)).statusCode, 400);
  });

  test('uptime: OK minutes over expected minutes since the first sample; a missing minute is down', async () => {
    const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE + 30_000);
    const nowMinute = Math.floor(now.getTime() / MINUTE) * MINUTE;
    await platform.db.withPlatform(async (tx) => {
      for (let m = 9; m >= 1; m--) {
        if (m === 5) continue; // nothing could record this minute
        await tx.query('insert into health_samples (minute, is_db_ok, db_latency_ms) values ($1, $2, 1)', [new Date(nowMinute - m * MINUTE), m !== 3]);
      }
    });
    let d = await platform.admin.getDashboard({ now });
    // 9 minutes expected (the current one has no sample yet), 7 OK.
    assert.deepEqual(d.uptime.last24h, { ratio: 0.777778, okMinutes: 7, expectedMinutes: 9, since: new Date(nowMinute - 9 * MINUTE).toISOString() });
    assert.deepEqual(d.uptime.last30d, d.uptime.last24h, 'tracking began 9 minutes ago: both windows start there');
    await platform.db.withPlatform((tx) => tx.query('insert into health_samples (minute, is_db_ok) values ($1, true)', [new Date(nowMinute)]));
    d = await platform.admin.getDashboard({ now });
    assert.equal(d.uptime.last24h.ratio, 0.8);
    assert.equal(d.uptime.latestSample?.minute, new Date(nowMinute).toISOString());
    // A day later with nothing recorded since: the 24 h window is all down, the 30 d one mostly.
    const later = await platform.admin.getDashboard({ now: new Date(now.getTime() + DAY + HOUR) });
    assert.equal(later.uptime.last24h.ratio, 0);
    assert.equal(later.uptime.last24h.okMinutes, 0);
    assert.equal(later.uptime.last24h.expectedMinutes, 24 * 60 - 1, "every minute of the window but the current one, not sampled yet");
    assert.ok(later.uptime.last30d.ratio !== null && later.uptime.last30d.ratio > 0 && later.uptime.last30d.ratio < 0.01);
  });

  test('the health sample job: one sample per minute, with the database latency and queue depth', async () => {
    const now = new Date(Date.now() + 7 * DAY); // a minute of its own
    const sample = await platform.admin.recordHealthSample({ now });
    assert.equal(sample.isDbOk, true);
    assert.equal(sample.isNew, true);
    assert.ok(sample.dbLatencyMs !== null && sample.dbLatencyMs >= 0);
    assert.equal(typeof sample.queueDepth, 'number');
    const again = await platform.admin.recordHealthSample({ now });
    assert.equal(again.isNew, false, 'a second worker in the same minute adds nothing');
    const rows = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>('select count(*) as n from health_samples where minute = $1', [sample.minute])).rows[0].n);
    assert.equal(rows, 1);
    // Samples older than 35 days before it were pruned (the uptime test's, 7 days before, stay).
    const old = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>(`select count(*) as n from health_samples where minute < $1`, [new Date(now.getTime() - 35 * DAY)])).rows[0].n);
    assert.equal(old, 0);
    // The request role can't read health samples.
    await assert.rejects(platform.db.withWorkspace(wsA, (tx) => tx.query('select * from health_samples')), /permission denied/);
  });

  test('the health sample schedule: every minute, on the platform lane', async () => {
    await platform.db.withPlatform((tx) => platform.admin.installSchedules(tx));
    const rows = await platform.db.withPlatform(async (tx) => (await tx.query<{ cron: string; queue: string; workspace_id: string | null }>(
      `select cron, queue, workspace_id from job_schedules where name = 'admin.health_sample'`)).rows);
    assert.deepEqual(rows, [{ cron: '* * * * *', queue: 'admin.health_sample', workspace_id: null }]);
  });
});
