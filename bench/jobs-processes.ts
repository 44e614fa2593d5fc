// `npm run bench:jobs-processes` (issue 16): does the job engine scale out to several worker
// processes? N no-op jobs enqueued in bulk (untimed), then drained by 1, then 2 worker PROCESSES
// (each with BENCH_CONCURRENCY handlers and its own pool), timed from the first job started in any
// process to the queue empty. Every job must run exactly once across the processes (ids collected
// from each). The peer, same run, same database server: graphile-worker with the same processes,
// handlers and pools. This machine has 2 cores: the question is no collapse (2 processes ≥ 1
// process's throughput), not linear scaling.
// BENCH_JOBS_N (20000) BENCH_CONCURRENCY (16) BENCH_POOL (10) BENCH_ROUNDS (3) ATRIUM_BENCH_JOBS_PG_PORT (54366).
import { fork } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/kernel/db/embedded.ts';
import { createAtrium, createGraphile } from './jobs/contenders.ts';
import type { Contender } from './jobs/contenders.ts';
import { median } from './jobs/measure.ts';
import { freshDatabase } from './lib/database.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const N = env('BENCH_JOBS_N', 20_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 16);
const POOL = env('BENCH_POOL', 10);
const ROUNDS = env('BENCH_ROUNDS', 3);
const root = path.resolve(import.meta.dirname, '..');

const embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.atrium', 'bench-jobs'), port: env('ATRIUM_BENCH_JOBS_PG_PORT', 54366) });
const adminUrl = embedded.url.replace(/\/atrium$/, '/postgres');
const databaseUrl = (name: string) => freshDatabase(adminUrl, name);

type Run = { jobsPerSec: number; duplicates: number; missing: number };

async function drain(name: string, url: string, producer: Contender, processes: number): Promise<Run> {
  await producer.reset();
  await producer.bulk('plain', Array.from({ length: N }, (_, n) => ({ n, t: 0 })));
  const children = Array.from({ length: processes }, () => fork(path.join(import.meta.dirname, 'jobs/worker-process.ts'), [name, url, String(CONCURRENCY), String(POOL)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const firsts: number[] = [];
  for (const c of children) c.on('message', (m: { first?: number }) => { if (m.first) firsts.push(m.first); });
  for (;;) {
    if ((await producer.remaining()) === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const end = Date.now();
  const ids = (await Promise.all(children.map((c) => new Promise<number[]>((resolve) => {
    c.on('message', (m: { ids?: number[] }) => { if (m.ids) resolve(m.ids); });
    c.send('stop');
  })))).flat();
  const seen = new Set(ids);
  return { jobsPerSec: Math.round(N / ((end - Math.min(...firsts)) / 1000)), duplicates: ids.length - seen.size, missing: N - seen.size };
}

const results: Record<string, Record<string, Run>> = {};
try {
  for (const [name, create] of [['atrium', createAtrium], ['graphile-worker', (o: Parameters<typeof createAtrium>[0]) => createGraphile({ ...o, localQueueSize: 500, completeJobBatchDelay: 0 })]] as const) {
    const url = await databaseUrl(`bench_jobs_proc_${name.replace('-', '_')}`);
    const producer = await create({ url, concurrency: CONCURRENCY, poolSize: POOL, vacuum: false });
    await drain(name, url, producer, 1); // warm-up
    results[name] = {};
    for (const processes of [1, 2]) {
      const runs: Run[] = [];
      for (let r = 0; r < ROUNDS; r++) runs.push(await drain(name, url, producer, processes));
      results[name][`${processes} process${processes > 1 ? 'es' : ''}`] = {
        jobsPerSec: median(runs.map((x) => x.jobsPerSec)), duplicates: runs.reduce((n, x) => n + x.duplicates, 0), missing: runs.reduce((n, x) => n + x.missing, 0),
      };
      console.error(`${name} × ${processes}: ${runs.map((x) => x.jobsPerSec).join(', ')} jobs/s`);
    }
    await producer.close();
  }
} finally {
  await embedded.stop();
}
console.log(`\n${N.toLocaleString('en-US')} no-op jobs, ${CONCURRENCY} handlers and a pool of ${POOL} per process, median of ${ROUNDS} rounds`);
console.table(Object.fromEntries(Object.entries(results).flatMap(([name, byCount]) => Object.entries(byCount).map(([count, r]) => [`${name}, ${count}`, r]))));
const a = results.atrium;
const g = results['graphile-worker'];
console.log(`atrium: 2 processes / 1 = ${(a['2 processes'].jobsPerSec / a['1 process'].jobsPerSec).toFixed(2)}× (target ≥ 1.0×); graphile-worker: ${(g['2 processes'].jobsPerSec / g['1 process'].jobsPerSec).toFixed(2)}×`);
console.log(`atrium / graphile-worker at 2 processes: ${(a['2 processes'].jobsPerSec / g['2 processes'].jobsPerSec).toFixed(2)}×; duplicates ${a['2 processes'].duplicates + a['1 process'].duplicates}, missing ${a['2 processes'].missing + a['1 process'].missing}`);
