// Audit retention runs on the job engine: start-up installs the hourly schedule, and the job
// applies retention (here: a workspace keeping 30 days loses its older events, and what remains
// still verifies).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { RETENTION_CRON, RETENTION_QUEUE } from './index.ts';

let platform: TestPlatform;
before(async () => {
  platform = await startTestPlatform();
});
after(async () => {
  await platform.jobs.stop();
  await platform.stop();
});

test('the retention schedule is installed and its job applies retention', async () => {
  await platform.db.withPlatform((tx) => platform.audit.installSchedules(tx));
  const schedule = await platform.db.withPlatform(async (tx) => (await tx.query('select cron, queue, is_enabled from job_schedules where name = $1', [RETENTION_QUEUE])).rows);
  assert.deepEqual(schedule, [{ cron: RETENTION_CRON, queue: RETENTION_QUEUE, is_enabled: true }]);

  const signup = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'keep30@retention.test', password: 'a long enough password', name: 'K', companyName: 'Keep 30' } });
  const workspaceId = signup.json().workspace.id as string;
  const token = signup.json().accessToken as string;
  for (const name of ['One', 'Two', 'Three']) {
    const res = await platform.app.inject({ method: 'PATCH', url: '/api/v1/workspaces/current', headers: { authorization: `Bearer ${token}` }, payload: { name } });
    assert.equal(res.statusCode, 200, res.body);
  }
  const res = await platform.app.inject({ method: 'PATCH', url: '/api/v1/workspaces/current', headers: { authorization: `Bearer ${token}` }, payload: { settings: { 'audit.retention_days': 30 } } });
  assert.equal(res.statusCode, 200, res.body);
  // The first events are 40 days old (moved back on the platform path, retention flag on).
  const count = () => platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>('select count(*)::int as n from audit_events where workspace_id = $1', [workspaceId])).rows[0].n);
  const before0 = await count();
  assert.ok(before0 >= 5);
  await platform.audit.seal(); // the events are in the chain (the sealer would have linked them)
  await platform.db.owner.query(`alter table audit_events disable trigger audit_events_no_update`);
  await platform.db.owner.query(`update audit_events set occurred_at = occurred_at - interval '40 days'
    where workspace_id = $1 and id in (select event_id from audit_chain where workspace_id = $1 and seq <= 3)`, [workspaceId]);
  await platform.db.owner.query(`alter table audit_events enable trigger audit_events_no_update`);

  await platform.db.withPlatform((tx) => platform.jobs.enqueue(tx, RETENTION_QUEUE, {}));
  platform.jobs.start();
  for (let i = 0; i < 200 && (await count()) === before0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await count(), before0 - 3);
  const [verified] = await platform.audit.verifyChains({ workspace: workspaceId });
  assert.equal(verified.isValid, true);
});
