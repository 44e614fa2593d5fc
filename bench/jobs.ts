// `npm run bench:jobs`: Atrium's job engine (src/kernel/jobs) against graphile-worker and pg-boss,
// the same workloads in the same run on the same embedded PostgreSQL (one database each), each
// in process with the same number of concurrent handlers and the same pg pool size.
//
//  1. No-op throughput: a backlog enqueued in bulk (untimed), then the drain is timed
//     (first handler start → queue empty) → jobs/s.                     target ≥ 5,000/s
//  2. Latency: one job at a time, each in its own transaction/call, at a steady rate
//     → enqueue→start p50 / p99.                                       target ≤ 3 / ≤ 10 ms
//  3. Ordering keys: K keys × M jobs (enqueued one by one, key after key), handlers of ~1 ms → p99 of (start of
//     job n+1 − end of job n) within a key, and no two jobs of a key overlapping.   ≤ 15 ms
//  4. Fairness: workspace A's backlog (bulk), then workspace B enqueues one job every 20 ms
//     → B's enqueue→start p99 (≤ 100 ms) and total throughput vs workload 1 (≥ 90%). The peers
//     have no notion of workspace: they run FIFO.
// Rounds are interleaved (each workload: every contender in turn, the order rotating each
// round) and the median of the rounds is reported. Results: artifacts/bench-jobs.json.
//
// Knobs (env): BENCH_ROUNDS (3) BENCH_FAIR_ROUNDS (1) BENCH_JOBS_N (20000) BENCH_RATE (500)
// BENCH_LATENCY_SECONDS (10) BENCH_KEYS (20) BENCH_PER_KEY (50) BENCH_ORDER_WORK_MS (1)
// BENCH_FAIR_N (100000) BENCH_FAIR_SECONDS (5) BENCH_FAIR_INTERVAL_MS (20) BENCH_CONCURRENCY (16)
// BENCH_POOL (20) BENCH_CONTENDERS (atrium,graphile-worker,pg-boss) BENCH_GRAPHILE_LOCAL_QUEUE (500, graphile-worker's own performance preset)
// BENCH_GRAPHILE_BATCH_DELAY (0) BENCH_PGBOSS_BATCH (16) BENCH_PGBOSS_KEYED_BATCH (4) BENCH_ATRIUM_WORKER_POOL (engine default)
// BENCH_VACUUM (0; 1 = VACUUM ANALYZE every contender's tables between workloads) BENCH_WORKLOADS (all four) ATRIUM_BENCH_JOBS_PG_PORT (54365).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/kernel/db/embedded.ts';
import { freshDatabase } from './lib/database.ts';
import { createAtrium, createGraphile, createPgBoss } from './jobs/contenders.ts';
import type { BenchJob, Contender, Mode } from './jobs/contenders.ts';
import { median, now, percentile, round, sleep, steady, waitUntil } from './jobs/measure.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = env('BENCH_ROUNDS', 3);
const FAIR_ROUNDS = env('BENCH_FAIR_ROUNDS', 1);
const N = env('BENCH_JOBS_N', 20_000);
const RATE = env('BENCH_RATE', 500);
const LATENCY_MS = env('BENCH_LATENCY_SECONDS', 10) * 1000;
const KEYS = env('BENCH_KEYS', 20);
const PER_KEY = env('BENCH_PER_KEY', 50);
const ORDER_WORK_MS = env('BENCH_ORDER_WORK_MS', 1);
const FAIR_N = env('BENCH_FAIR_N', 100_000);
const FAIR_MS = env('BENCH_FAIR_SECONDS', 5) * 1000;
const FAIR_INTERVAL_MS = env('BENCH_FAIR_INTERVAL_MS', 20);
const CONCURRENCY = env('BENCH_CONCURRENCY', 16);
const POOL = env('BENCH_POOL', 20);
const WANTED = (process.env.BENCH_CONTENDERS ?? 'atrium,graphile-worker,pg-boss').split(',').map((s) => s.trim());
/** A drain that takes longer than this is reported as failed (and the run goes on). */
const TIMEOUT_MS = env('BENCH_TIMEOUT_SECONDS', 180) * 1000;
const root = path.resolve(import.meta.dirname, '..');

const log = (line: string) => console.error(line);

/** After every handler ran: wait until the library has recorded every completion. */
async function drained(c: Contender): Promise<number> {
  await waitUntil(async () => (await c.remaining()) === 0, TIMEOUT_MS, 3);
  return now();
}

/** Start the workers; resolves the time the last job was settled, or throws on timeout. */
async function runUntilDone(c: Contender, mode: Mode, expected: () => number, state: { done: number }, handler: (j: BenchJob) => Promise<void>, during?: () => Promise<void>): Promise<number> {
  await c.start(mode, handler);
  try {
    await during?.();
    if (!(await waitUntil(() => state.done >= expected(), TIMEOUT_MS, 2))) throw new Error(`timeout: ${state.done}/${expected()} jobs ran`);
    return await drained(c);
  } finally {
    await c.stop();
  }
}

// ------------------------------------------------------------------------------------------
type Throughput = { jobsPerSec: number; bulkPerSec: number; seconds: number; duplicates: number };

async function throughput(c: Contender, n = N): Promise<Throughput> {
  await c.reset();
  const jobs: BenchJob[] = Array.from({ length: n }, (_, i) => ({ n: i, t: 0 }));
  const b0 = now();
  await c.bulk('plain', jobs);
  const bulkMs = now() - b0;
  const seen = new Uint8Array(n);
  const state = { done: 0, first: 0, duplicates: 0 };
  const end = await runUntilDone(c, 'plain', () => n, state, async (j) => {
    if (!state.first) state.first = now();
    if (seen[j.n]++) state.duplicates++;
    else state.done++;
  });
  const seconds = (end - state.first) / 1000;
  return { jobsPerSec: Math.round(n / seconds), bulkPerSec: Math.round(n / (bulkMs / 1000)), seconds: Number(seconds.toFixed(3)), duplicates: state.duplicates };
}

// ------------------------------------------------------------------------------------------
type Latency = { p50: number; p99: number; max: number; count: number; errors: number };

async function latency(c: Contender): Promise<Latency> {
  await c.reset();
  const samples: number[] = [];
  const state = { done: 0 };
  const warm = Math.round(RATE); // one second of warm-up, not measured
  const total = warm + Math.round((LATENCY_MS / 1000) * RATE);
  let errors = 0;
  await runUntilDone(c, 'plain', () => total - errors, state, async (j) => {
    const started = now();
    if (j.n >= 0) samples.push(started - j.t);
    state.done++;
  }, async () => {
    const w = await steady(RATE, 1000, (i) => c.enqueueOne('plain', { n: -(i + 1), t: now() }));
    const m = await steady(RATE, LATENCY_MS, (i) => c.enqueueOne('plain', { n: i, t: now() }));
    errors = w.errors + m.errors;
    if (errors) log(`  ${c.name}: ${errors} enqueue errors (${w.firstError ?? m.firstError})`);
  });
  return { p50: round(percentile(samples, 50), 3)!, p99: round(percentile(samples, 99), 3)!, max: round(Math.max(...samples), 1)!, count: samples.length, errors };
}

// ------------------------------------------------------------------------------------------
type Ordering = { gapP50: number; gapP99: number; gapMax: number; overlaps: number; outOfOrder: number; seconds: number };

async function ordering(c: Contender): Promise<Ordering> {
  await c.reset();
  const jobs: BenchJob[] = [];
  for (let k = 0; k < KEYS; k++) for (let i = 0; i < PER_KEY; i++) jobs.push({ n: k * PER_KEY + i, t: 0, k: `key-${k}` });
  // One at a time, in order (a key's jobs back to back): bulk APIs need not keep the order of
  // their rows (graphile-worker's addJobs does not), and keyed jobs arrive one by one anyway.
  for (const j of jobs) await c.enqueueOne('ordered', j);
  const runs: Array<{ k: string; i: number; s: number; e: number }> = [];
  const state = { done: 0 };
  const t0 = now();
  const end = await runUntilDone(c, 'ordered', () => jobs.length, state, async (j) => {
    const s = now();
    await sleep(ORDER_WORK_MS);
    runs.push({ k: j.k!, i: j.n % PER_KEY, s, e: now() });
    state.done++;
  });
  const gaps: number[] = [];
  let overlaps = 0;
  let outOfOrder = 0;
  const byKey = Map.groupBy(runs, (r) => r.k);
  for (const list of byKey.values()) {
    list.sort((a, b) => a.s - b.s);
    for (let x = 1; x < list.length; x++) {
      const [prev, next] = [list[x - 1], list[x]];
      if (next.i < prev.i) outOfOrder++;
      if (next.s < prev.e) overlaps++;
      else gaps.push(next.s - prev.e);
    }
  }
  return { gapP50: round(percentile(gaps, 50), 3)!, gapP99: round(percentile(gaps, 99), 3)!, gapMax: round(Math.max(...gaps), 1)!, overlaps, outOfOrder, seconds: Number(((end - t0) / 1000).toFixed(3)) };
}

// ------------------------------------------------------------------------------------------
type Fairness = { bP50: number; bP99: number; bMax: number; bCount: number; jobsPerSec: number; aLeftWhenBEnded: number; seconds: number };

async function fairness(c: Contender): Promise<Fairness> {
  await c.reset();
  await c.bulk('plain', Array.from({ length: FAIR_N }, (_, i) => ({ n: i, t: 0, w: 'a' as const })));
  const bLatency: number[] = [];
  const state = { done: 0, first: 0, aDone: 0 };
  let bSent = 0;
  let aLeftWhenBEnded = 0;
  let lastA = 0;
  let doneAtLastA = 0;
  await runUntilDone(c, 'plain', () => FAIR_N + bSent, state, async (j) => {
    const started = now();
    if (!state.first) state.first = started;
    if (j.w === 'b') bLatency.push(started - j.t);
    else state.aDone++;
    state.done++;
    if (state.aDone === FAIR_N && !lastA) [lastA, doneAtLastA] = [started, state.done];
  }, async () => {
    await sleep(200); // A's backlog is being worked
    const r = await steady(1000 / FAIR_INTERVAL_MS, FAIR_MS, (i) => c.enqueueOne('plain', { n: i, t: now(), w: 'b' }));
    bSent = r.sent - r.errors;
    aLeftWhenBEnded = FAIR_N - state.aDone;
  });
  // Throughput while A's backlog lasted (B's trickle may outlast it): jobs started by then.
  const seconds = (lastA - state.first) / 1000;
  return {
    bP50: round(percentile(bLatency, 50), 2)!, bP99: round(percentile(bLatency, 99), 2)!, bMax: round(Math.max(...bLatency), 1)!, bCount: bLatency.length,
    jobsPerSec: Math.round(doneAtLastA / seconds), aLeftWhenBEnded, seconds: Number(seconds.toFixed(3)),
  };
}

// ------------------------------------------------------------------------------------------
const embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.atrium', 'bench-jobs'), port: env('ATRIUM_BENCH_JOBS_PG_PORT', 54365) });
const adminUrl = embedded.url.replace(/\/atrium$/, '/postgres');
const databaseUrl = (name: string) => freshDatabase(adminUrl, name);

const contenders: Contender[] = [];
const skipped: Record<string, string> = {};
const common = { concurrency: CONCURRENCY, poolSize: POOL, vacuum: process.env.BENCH_VACUUM === '1' };
try {
  if (WANTED.includes('atrium')) {
    try {
      contenders.push(await createAtrium({ ...common, url: await databaseUrl('bench_jobs_atrium'), workerPoolSize: env('BENCH_ATRIUM_WORKER_POOL', 0) || undefined }));
    } catch (error) {
      skipped.atrium = error instanceof Error ? error.message : String(error);
      log(`atrium skipped: ${skipped.atrium}`);
    }
  }
  if (WANTED.includes('graphile-worker')) {
    contenders.push(await createGraphile({ ...common, url: await databaseUrl('bench_jobs_graphile'), localQueueSize: env('BENCH_GRAPHILE_LOCAL_QUEUE', 500), completeJobBatchDelay: env('BENCH_GRAPHILE_BATCH_DELAY', 0) }));
  }
  if (WANTED.includes('pg-boss')) {
    contenders.push(await createPgBoss({ ...common, url: await databaseUrl('bench_jobs_pgboss'), batchSize: env('BENCH_PGBOSS_BATCH', CONCURRENCY), keyedBatchSize: env('BENCH_PGBOSS_KEYED_BATCH', 4) }));
  }
  for (const c of contenders) log(`${c.name}: ${c.describe}`);

  // Warm-up: connections, prepared statements, JIT; not measured.
  for (const c of contenders) {
    const w = await throughput(c, Math.min(2000, N));
    log(`warm-up ${c.name}: ${w.jobsPerSec} jobs/s`);
  }

  type Results = { throughput: Throughput[]; latency: Latency[]; ordering: Ordering[]; fairness: Fairness[]; failures: string[] };
  const results = new Map<string, Results>(contenders.map((c) => [c.name, { throughput: [], latency: [], ordering: [], fairness: [], failures: [] }]));
  const workloads: Array<{ key: 'throughput' | 'latency' | 'ordering' | 'fairness'; rounds: number; run: (c: Contender) => Promise<Throughput | Latency | Ordering | Fairness>; show: (r: never) => string }> = [
    { key: 'throughput', rounds: ROUNDS, run: throughput, show: (r: Throughput) => `${r.jobsPerSec} jobs/s (drain ${r.seconds} s; bulk enqueue ${r.bulkPerSec}/s${r.duplicates ? `; ${r.duplicates} DUPLICATES` : ''})` },
    { key: 'latency', rounds: ROUNDS, run: latency, show: (r: Latency) => `p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${r.count} jobs)` },
    { key: 'ordering', rounds: ROUNDS, run: ordering, show: (r: Ordering) => `gap p50 ${r.gapP50} ms, p99 ${r.gapP99} ms, max ${r.gapMax} ms; ${r.overlaps} overlaps, ${r.outOfOrder} out of order; ${r.seconds} s` },
    { key: 'fairness', rounds: FAIR_ROUNDS, run: fairness, show: (r: Fairness) => `B p50 ${r.bP50} ms, p99 ${r.bP99} ms, max ${r.bMax} ms (${r.bCount} B jobs; ${r.aLeftWhenBEnded} of A's jobs left when B stopped); ${r.jobsPerSec} jobs/s over ${r.seconds} s` },
  ];
  const only = (process.env.BENCH_WORKLOADS ?? 'throughput,latency,ordering,fairness').split(',');
  for (const w of workloads.filter((x) => only.includes(x.key))) {
    for (let r = 0; r < w.rounds; r++) {
      const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
      for (const c of order) {
        try {
          const result = await w.run(c);
          (results.get(c.name)![w.key] as unknown[]).push(result);
          log(`${w.key} round ${r + 1}/${w.rounds} ${c.name}: ${w.show(result as never)}`);
        } catch (error) {
          const message = `${w.key} round ${r + 1}: ${error instanceof Error ? error.message : String(error)}`;
          results.get(c.name)!.failures.push(message);
          log(`${c.name} FAILED ${message}`);
          await c.stop().catch(() => {});
        }
      }
    }
  }

  // ----------------------------------------------------------------------------------------
  const summary = contenders.map((c) => {
    const r = results.get(c.name)!;
    const m = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
    return {
      name: c.name,
      config: c.describe,
      throughput: { jobsPerSec: m(r.throughput, (x) => x.jobsPerSec), bulkEnqueuePerSec: m(r.throughput, (x) => x.bulkPerSec), duplicates: r.throughput.reduce((n, x) => n + x.duplicates, 0), rounds: r.throughput.map((x) => x.jobsPerSec) },
      latency: { p50: m(r.latency, (x) => x.p50), p99: m(r.latency, (x) => x.p99), max: m(r.latency, (x) => x.max), rounds: r.latency.map((x) => ({ p50: x.p50, p99: x.p99 })) },
      ordering: { gapP50: m(r.ordering, (x) => x.gapP50), gapP99: m(r.ordering, (x) => x.gapP99), gapMax: m(r.ordering, (x) => x.gapMax), overlaps: r.ordering.reduce((n, x) => n + x.overlaps, 0), outOfOrder: r.ordering.reduce((n, x) => n + x.outOfOrder, 0), rounds: r.ordering.map((x) => x.gapP99) },
      fairness: { bP50: m(r.fairness, (x) => x.bP50), bP99: m(r.fairness, (x) => x.bP99), jobsPerSec: m(r.fairness, (x) => x.jobsPerSec), aLeftWhenBEnded: m(r.fairness, (x) => x.aLeftWhenBEnded), rounds: r.fairness },
      failures: r.failures,
    };
  }).map((s) => ({ ...s, fairness: { ...s.fairness, vsFifo: s.fairness.jobsPerSec / s.throughput.jobsPerSec } }));

  const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
  const cols = ['contender', '1 no-op jobs/s', '2 p50 ms', '2 p99 ms', '3 gap p99 ms', '3 overlaps', '4 B p50 ms', '4 B p99 ms', '4 jobs/s', '4 vs 1'];
  const rows = summary.map((s) => [
    s.name, fmt(s.throughput.jobsPerSec, 0), fmt(s.latency.p50, 2), fmt(s.latency.p99, 2), fmt(s.ordering.gapP99, 2), String(s.ordering.overlaps + s.ordering.outOfOrder),
    fmt(s.fairness.bP50, 1), fmt(s.fairness.bP99, 1), fmt(s.fairness.jobsPerSec, 0), Number.isFinite(s.fairness.vsFifo) ? `${(s.fairness.vsFifo * 100).toFixed(0)}%` : '—',
  ]);
  const widths = cols.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`\nJob engines, same embedded PostgreSQL, same run; ${CONCURRENCY} concurrent handlers and a pg pool of ${POOL} each; median of ${ROUNDS} interleaved rounds (fairness: ${FAIR_ROUNDS})`);
  console.log(`1: drain of ${N} no-op jobs enqueued in bulk · 2: enqueue→start, one job per transaction at ${RATE}/s for ${LATENCY_MS / 1000} s · 3: ${KEYS} keys × ${PER_KEY} jobs of ~${ORDER_WORK_MS} ms, gap = start of next − end of previous · 4: A's ${FAIR_N} backlog, B one job per ${FAIR_INTERVAL_MS} ms for ${FAIR_MS / 1000} s\n`);
  console.log(line(cols));
  for (const r of rows) console.log(line(r));

  const atrium = summary.find((s) => s.name === 'atrium');
  if (atrium) {
    console.log('\nAtrium / peer (throughput: higher is better; latencies: lower is better)');
    for (const peer of summary.filter((s) => s.name !== 'atrium')) {
      const x = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
      console.log(`  vs ${peer.name.padEnd(16)} throughput ${x(atrium.throughput.jobsPerSec, peer.throughput.jobsPerSec)}   p50 ${x(atrium.latency.p50, peer.latency.p50)}   p99 ${x(atrium.latency.p99, peer.latency.p99)}   key gap p99 ${x(atrium.ordering.gapP99, peer.ordering.gapP99)}   B p99 ${x(atrium.fairness.bP99, peer.fairness.bP99)}   backlog throughput ${x(atrium.fairness.jobsPerSec, peer.fairness.jobsPerSec)}`);
    }
    const check = (label: string, ok: boolean) => console.log(`  ${ok ? 'OK  ' : 'MISS'} ${label}`);
    console.log('\nAtrium against the issue\'s targets');
    check(`no-op throughput ${fmt(atrium.throughput.jobsPerSec, 0)} jobs/s ≥ 5,000`, atrium.throughput.jobsPerSec >= 5000);
    check(`enqueue→start p50 ${fmt(atrium.latency.p50, 2)} ms ≤ 3 at ${RATE}/s`, atrium.latency.p50 <= 3);
    check(`enqueue→start p99 ${fmt(atrium.latency.p99, 2)} ms ≤ 10 at ${RATE}/s`, atrium.latency.p99 <= 10);
    check(`ordering key gap p99 ${fmt(atrium.ordering.gapP99, 2)} ms ≤ 15, ${atrium.ordering.overlaps} overlaps, ${atrium.ordering.outOfOrder} out of order`, atrium.ordering.gapP99 <= 15 && atrium.ordering.overlaps === 0 && atrium.ordering.outOfOrder === 0);
    check(`other workspace's p99 ${fmt(atrium.fairness.bP99, 1)} ms ≤ 100 behind a ${FAIR_N} backlog`, atrium.fairness.bP99 <= 100);
    check(`throughput with the backlog ${(atrium.fairness.vsFifo * 100).toFixed(0)}% of FIFO ≥ 90%`, atrium.fairness.vsFifo >= 0.9);
  }
  for (const [name, reason] of Object.entries(skipped)) console.log(`\n${name} not measured: ${reason}`);
  for (const s of summary) for (const f of s.failures) console.log(`${s.name} failed: ${f}`);
  for (const s of summary) if (s.throughput.duplicates) console.log(`${s.name}: ${s.throughput.duplicates} jobs ran twice`);

  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'artifacts', 'bench-jobs.json'), JSON.stringify({
    date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).availableParallelism(),
    settings: { rounds: ROUNDS, fairRounds: FAIR_ROUNDS, jobs: N, rate: RATE, latencySeconds: LATENCY_MS / 1000, keys: KEYS, perKey: PER_KEY, orderWorkMs: ORDER_WORK_MS, fairJobs: FAIR_N, fairSeconds: FAIR_MS / 1000, fairIntervalMs: FAIR_INTERVAL_MS, concurrency: CONCURRENCY, pool: POOL },
    skipped, contenders: summary,
  }, null, 2));
} finally {
  for (const c of contenders) await c.close().catch((error: unknown) => log(`closing ${c.name}: ${String(error)}`));
  await embedded.stop();
}
