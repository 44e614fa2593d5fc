// The platform admin's job routes through the real app, and `atrium jobs` spawned for real:
// stats, dead letters, retry (audited in the job's workspace), cancel; everyone else refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { TEST_SECRET } from '../../../test/helpers/constants.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/atrium.mjs');

describe('job operations', () => {
  let platform: TestPlatform;
  let adminToken: string;
  let ownerToken: string;
  let workspaceId: string;
  let deadId: string;
  let pendingId: string;

  before(async () => {
    platform = await startTestPlatform();
    const admin = await platform.admin.createPlatformAdmin({ email: 'ops@jobs.test', password: 'operator password 1', name: 'Ops' });
    adminToken = (await platform.db.withWorkspace(admin.workspace.id, (tx) => platform.identity.sessions.openSession(tx, { userId: admin.user.id, workspaceId: admin.workspace.id, role: 'owner', isPlatformAdmin: true }))).accessToken;
    const signup = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'client@jobs.test', password: 'a long enough password', name: 'Client', companyName: 'Client Co' } });
    ownerToken = signup.json().accessToken;
    workspaceId = signup.json().workspace.id;
    // A dead letter and a waiting job of the client's workspace (no worker runs in this test).
    [deadId, pendingId] = await platform.db.withWorkspace(workspaceId, async (tx) => [
      (await platform.jobs.enqueue(tx, 'ops.test', { n: 1 }, { workspaceId })).id,
      (await platform.jobs.enqueue(tx, 'ops.test', { n: 2 }, { workspaceId, runAt: new Date(Date.now() + 3600_000) })).id,
    ]);
    await platform.db.withPlatform((tx) => tx.query(`update jobs set status = 'dead', attempts = 5, last_error = '{"message":"upstream 503"}' where id = $1`, [deadId]));
  });
  after(async () => {
    await platform.stop();
  });

  const call = (method: 'GET' | 'POST', url: string, token: string) => platform.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });

  test('stats and listings show depth, dead letters and their last error', async () => {
    const stats = await call('GET', '/admin/jobs/stats', adminToken);
    assert.equal(stats.statusCode, 200, stats.body);
    const queue = stats.json().data.find((s: { queue: string }) => s.queue === 'ops.test');
    assert.deepEqual({ pending: queue.pending, dead: queue.dead, running: queue.running }, { pending: 1, dead: 1, running: 0 });
    const dead = await call('GET', '/admin/jobs?status=dead', adminToken);
    assert.deepEqual(dead.json().data.map((j: { id: string; lastError: { message: string } }) => [j.id, j.lastError.message]), [[deadId, 'upstream 503']]);
    assert.equal((await call('GET', '/admin/jobs?status=nope', adminToken)).statusCode, 400);
  });

  test('retry puts a dead letter back, audited in its workspace; a live job is not a dead letter', async () => {
    const res = await call('POST', `/admin/jobs/${deadId}/retry`, adminToken);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { id: deadId, status: 'pending' });
    const job = await platform.db.withPlatform(async (tx) => (await tx.query('select status, attempts, last_error from jobs where id = $1', [deadId])).rows[0]);
    assert.deepEqual(job, { status: 'pending', attempts: 0, last_error: null });
    const events = await platform.db.withWorkspace(workspaceId, async (tx) => (await tx.query("select actor_type, target_id from audit_events where action = 'job.retried'")).rows);
    assert.deepEqual(events, [{ actor_type: 'platform_admin', target_id: deadId }]);
    const again = await call('POST', `/admin/jobs/${deadId}/retry`, adminToken);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'JOB_NOT_DEAD');
    assert.equal((await call('POST', '/admin/jobs/01a20000-0000-7000-8000-000000000000/retry', adminToken)).statusCode, 404);
  });

  test('cancel removes a waiting job', async () => {
    const res = await call('POST', `/admin/jobs/${pendingId}/cancel`, adminToken);
    assert.deepEqual(res.json(), { id: pendingId, outcome: 'cancelled' });
    assert.equal((await call('POST', `/admin/jobs/${pendingId}/cancel`, adminToken)).statusCode, 404);
  });

  test('a workspace owner is refused', async () => {
    for (const [method, url] of [['GET', '/admin/jobs/stats'], ['GET', '/admin/jobs'], ['POST', `/admin/jobs/${deadId}/retry`], ['POST', `/admin/jobs/${deadId}/cancel`]] as const) {
      assert.equal((await call(method, url, ownerToken)).statusCode, 403, `${method} ${url}`);
    }
  });

  test('atrium jobs stats/list --json', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'atrium-jobs-cli-'));
    const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'jobs', ...args], { cwd, env: { PATH: process.env.PATH ?? '', DATABASE_URL: platform.ownerUrl, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data') } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const stats = await run(['stats', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(JSON.parse(stats.stdout).find((s: { queue: string }) => s.queue === 'ops.test').pending, 1);
    const list = await run(['list', '--status', 'pending', '--json']);
    assert.deepEqual(JSON.parse(list.stdout).map((j: { id: string }) => j.id), [deadId]);
    const bad = await run(['list', '--status', 'nope']);
    assert.equal(bad.code, 2, 'a usage error');
    assert.match(bad.stderr, /--status must be one of/);
    const notAnId = await run(['retry', 'not-a-uuid']);
    assert.equal(notAnId.code, 2);
    assert.match(notAnId.stderr, /must be an id \(a UUID\), got "not-a-uuid"/);
    assert.doesNotMatch(notAnId.stderr, /syntax|uuid:/i, 'refused before the database');
  });
});
