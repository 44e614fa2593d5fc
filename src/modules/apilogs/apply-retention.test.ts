// Retention of API logs: by plan (free 30 days, pro 90) and 30 days for rows without a
// workspace; applied directly and by the `api_logs.retention` job on the real engine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { API_LOG_RETENTION_CRON, API_LOG_RETENTION_QUEUE } from './index.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('api log retention', () => {
  let platform: TestPlatform;
  let free: string;
  let pro: string;

  before(async () => {
    platform = await startTestPlatform();
    [free, pro] = await platform.db.withPlatform(async (tx) => {
      const f = await tx.query<{ id: string }>(`insert into workspaces (slug, name, plan) values ('ret-free', 'Free', 'free') returning id`);
      const p = await tx.query<{ id: string }>(`insert into workspaces (slug, name, plan) values ('ret-pro', 'Pro', 'pro') returning id`);
      return [f.rows[0].id, p.rows[0].id];
    });
  });
  after(async () => {
    await platform.jobs.stop();
    await platform.stop();
  });

  async function seed(workspaceId: string | null, ageDays: number, endpoint: string): Promise<void> {
    await platform.db.withPlatform((tx) => tx.query(
      `insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms) values (gen_random_uuid(), $1, now() - make_interval(days => $2), 'GET', $3, 200, 1)`,
      [workspaceId, ageDays, endpoint]));
  }

  async function endpoints(): Promise<string[]> {
    return platform.db.withPlatform(async (tx) => (await tx.query<{ endpoint: string }>('select endpoint from api_logs where endpoint like $1 order by endpoint', ['/ret/%'])).rows.map((r) => r.endpoint));
  }

  test('deletes past each plan\'s retention, keeps the rest', async () => {
    await seed(free, 10, '/ret/free-10d');
    await seed(free, 31, '/ret/free-31d');
    await seed(pro, 31, '/ret/pro-31d');
    await seed(pro, 91, '/ret/pro-91d');
    await seed(null, 29, '/ret/none-29d');
    await seed(null, 45, '/ret/none-45d');
    const run = await platform.apiLogs.applyRetention();
    assert.equal(run.deleted, 3);
    assert.deepEqual(await endpoints(), ['/ret/free-10d', '/ret/none-29d', '/ret/pro-31d']);
    const byWorkspace = new Map(run.byWorkspace.map((w) => [w.workspaceId, w]));
    assert.equal(byWorkspace.get(free)?.retentionDays, 30);
    assert.equal(byWorkspace.get(pro)?.retentionDays, 90);
    assert.equal(byWorkspace.get(null)?.deleted, 1);
    // A second run finds nothing more.
    assert.equal((await platform.apiLogs.applyRetention()).deleted, 0);
  });

  test('"now" moves the cutoff: 25 days later, the 10-day-old free row is past 30 days', async () => {
    const run = await platform.apiLogs.applyRetention({ now: new Date(Date.now() + 25 * DAY_MS) });
    assert.ok(run.deleted >= 2);
    assert.deepEqual(await endpoints(), ['/ret/pro-31d']);
  });

  test('the schedule is installed on the engine (hourly at :17), and the job applies retention', async () => {
    await platform.db.withPlatform((tx) => platform.apiLogs.installSchedules(tx));
    await platform.db.withPlatform((tx) => platform.apiLogs.installSchedules(tx)); // idempotent
    const schedules = await platform.db.withPlatform(async (tx) => (await tx.query<{ name: string; cron: string; queue: string; workspace_id: string | null }>(
      `select name, cron, queue, workspace_id from job_schedules where name = $1`, [API_LOG_RETENTION_QUEUE])).rows);
    assert.deepEqual(schedules, [{ name: API_LOG_RETENTION_QUEUE, cron: API_LOG_RETENTION_CRON, queue: API_LOG_RETENTION_QUEUE, workspace_id: null }]);
    assert.equal(API_LOG_RETENTION_CRON, '17 * * * *');

    await seed(free, 40, '/ret/job-free-40d');
    await platform.db.withPlatform((tx) => platform.jobs.enqueue(tx, API_LOG_RETENTION_QUEUE, {}));
    platform.jobs.start();
    // Wait for the job to run (bounded; not a timing assertion).
    for (let i = 0; i < 200 && (await endpoints()).includes('/ret/job-free-40d'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!(await endpoints()).includes('/ret/job-free-40d'), 'the job deleted the old row');
    assert.ok((await endpoints()).includes('/ret/pro-31d'), 'and kept the recent one');
  });
});
