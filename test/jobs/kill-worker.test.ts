// kill -9 of a worker in the middle of 1,000 jobs: nothing is lost, every job completes once
// (a job leaves the queue exactly once), and only the jobs in flight at the kill run again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { createJobEngine } from '../../src/kernel/jobs/index.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { waitUntil as until } from '../helpers/wait.ts';

let platform: TestPlatform;
const children: ChildProcess[] = [];

function startWorker(leaseMs: number): Promise<ChildProcess> {
  const child = fork(path.join(import.meta.dirname, '..', 'helpers', 'job-worker.ts'), [platform.ownerUrl, String(leaseMs), JSON.stringify(platform.databaseEnv)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

before(async () => {
  platform = await startTestPlatform();
  await platform.db.owner.query('create table kill_runs (job_id uuid not null, pid int not null, at timestamptz not null default clock_timestamp())');
  await platform.db.owner.query('grant select, insert on kill_runs to atrium_platform');
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await platform.stop();
});

test('kill -9 of a worker in the middle of 1,000 jobs: zero lost, each completes once', async () => {
  const engine = createJobEngine({ config: platform.config, db: platform.db, log: createLogger('silent') });
  const ids = await platform.db.withPlatform((tx) => engine.enqueueMany(tx, 'kill.test', Array.from({ length: 1000 }, (_, n) => ({ payload: { n } }))));
  assert.equal(new Set(ids.map((j) => j.id)).size, 1000);

  // The default lease (10 s): what production runs with.
  const first = await startWorker(10_000);
  const runs = () => platform.db.withPlatform(async (tx) => Number((await tx.query('select count(*) as n from kill_runs')).rows[0].n));
  await until('a third of the jobs', async () => (await runs()) >= 300 || false, 30_000);
  first.kill('SIGKILL');
  const killedAt = Date.now();
  await new Promise((r) => first.once('exit', r));
  const inFlight = await platform.db.withPlatform(async (tx) => Number((await tx.query("select count(*) as n from jobs where queue = 'kill.test' and status = 'running'")).rows[0].n));

  await startWorker(10_000);
  await until('every job', async () => {
    const left = await platform.db.withPlatform(async (tx) => Number((await tx.query("select count(*) as n from jobs where queue = 'kill.test'")).rows[0].n));
    return left === 0 || false;
  }, 60_000);
  const reclaimSeconds = (Date.now() - killedAt) / 1000;

  const perJob = await platform.db.withPlatform(async (tx) => (await tx.query<{ job_id: string; n: number; pids: number }>(
    'select job_id, count(*)::int as n, count(distinct pid)::int as pids from kill_runs group by job_id',
  )).rows);
  // Zero lost: every enqueued job ran to the end on one of the workers.
  assert.deepEqual(new Set(perJob.map((r) => r.job_id)), new Set(ids.map((j) => j.id)));
  // Only what the killed worker held (running, or finished but not yet recorded) ran again, on the other worker.
  const again = perJob.filter((r) => r.n > 1);
  assert.ok(again.length <= inFlight + 32, `${again.length} jobs ran twice; ${inFlight} were in flight at the kill`);
  assert.ok(again.every((r) => r.pids === 2), 'a job ran twice on the same worker');
  assert.ok(inFlight > 0, 'the kill happened while jobs were running');
  console.log(`kill -9: ${inFlight} jobs in flight, ${again.length} ran again, all 1,000 done ${reclaimSeconds.toFixed(1)} s after the kill`);
});
