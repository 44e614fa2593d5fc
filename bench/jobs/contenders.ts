// The three job queues of `npm run bench:jobs`, behind one small interface, each on its own
// database of the same embedded PostgreSQL, each with the same number of concurrent handlers and
// the same pg pool size. Every adapter uses the library's ordinary public API: its bulk insert
// for backlogs, its single-job call for a trickle, its own workers.
import pg from 'pg';
import { Logger as GraphileLogger, makeWorkerUtils, run as runGraphile, runMigrations as migrateGraphile } from 'graphile-worker';
import type { Runner as GraphileRunner, WorkerUtils } from 'graphile-worker';
import { PgBoss } from 'pg-boss';
import { createJobEngine } from '../../src/kernel/jobs/index.ts';
import type { JobEngine } from '../../src/kernel/jobs/index.ts';
import { migrate } from '../../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../../src/kernel/db/roles.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { createDatabase } from '../../src/kernel/db/database.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { createPool, deriveAppUrl } from '../../src/kernel/db/pool.ts';

/** What a bench job carries: its number, when it was enqueued (performance.now()), its key, its workspace. */
export type BenchJob = { n: number; t: number; k?: string; w?: 'a' | 'b' };
export type Handler = (job: BenchJob) => Promise<void>;
/** plain: one FIFO queue; ordered: jobs carry an ordering key (`k`), at most one running per key. */
export type Mode = 'plain' | 'ordered';

export type Contender = {
  name: string;
  /** How this contender is configured (printed with the results). */
  describe: string;
  /** Start the workers: `concurrency` handlers at once in this process. */
  start(mode: Mode, handler: Handler): Promise<void>;
  stop(): Promise<void>;
  /** Untimed backlog through the library's bulk API. */
  bulk(mode: Mode, jobs: BenchJob[]): Promise<void>;
  /** One job, in its own transaction / call. */
  enqueueOne(mode: Mode, job: BenchJob): Promise<void>;
  /** Jobs not finished yet (queued, blocked or running). */
  remaining(): Promise<number>;
  /** Remove every job, between workloads. */
  reset(): Promise<void>;
  close(): Promise<void>;
};

/** vacuum: VACUUM ANALYZE the queue's tables after each workload's cleanup (off: autovacuum only, as in production). */
export type ContenderOptions = { url: string; concurrency: number; poolSize: number; vacuum: boolean };

const CHUNK = 2000;
function chunks<T>(xs: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Atrium: src/kernel/jobs, enqueued in a tenant transaction of workspace A or B.
// ---------------------------------------------------------------------------------------------
const SECRET = 'bench-secret-atrium-0123456789abcdef-0123456789';
const QUEUE = 'bench';

export async function createAtrium(options: ContenderOptions & { workerPoolSize?: number }): Promise<Contender> {
  const migrator = new pg.Pool({ connectionString: options.url });
  migrator.on('error', () => {});
  await migrate(migrator, { appPassword: deriveAppPassword(SECRET) });
  await migrator.end();
  const config = loadConfig({ DATABASE_URL: options.url, ATRIUM_SECRET: SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/bench-data', ATRIUM_DB_POOL_MAX: String(options.poolSize) }, { loadDotenv: false });
  const log = createLogger('silent');
  // As connectDatabase (src/main.ts) does it, without importing the whole platform.
  const ownerPoolSize = Math.max(2, Math.ceil(config.dbPoolMax / 4));
  const db: Database = createDatabase(
    createPool(deriveAppUrl(options.url, deriveAppPassword(SECRET)), { max: config.dbPoolMax, name: 'app', log }),
    createPool(options.url, { max: ownerPoolSize, name: 'owner', log }),
  );
  const workspaces = await db.withPlatform(async (tx) => {
    // Idempotent: several processes of bench:jobs-processes open the same database.
    const r = await tx.query<{ id: string; slug: string }>(`insert into workspaces (slug, name) values ('bench-a', 'Bench A'), ('bench-b', 'Bench B')
       on conflict (slug) do update set name = excluded.name returning id, slug`);
    return { a: r.rows.find((x) => x.slug === 'bench-a')!.id, b: r.rows.find((x) => x.slug === 'bench-b')!.id };
  });
  let current: Handler = async () => {};
  // Short jobs: claimed ahead (QueueDefinition.prefetch, the engine's counterpart of
  // graphile-worker's localQueue); keyed jobs are not (a key's next job is promoted, not queued here).
  const prefetch = Number(process.env.BENCH_ATRIUM_PREFETCH ?? 64);
  const define = (engine: JobEngine, mode?: Mode) => engine.define<BenchJob>({
    name: QUEUE, concurrency: options.concurrency, prefetch: mode === 'ordered' ? 0 : prefetch, maxAttempts: 3, handler: (job) => current(job.payload),
  });
  // The producer side: enqueues only (never started).
  // The engine's own worker pool keeps its default size unless BENCH_ATRIUM_WORKER_POOL says otherwise.
  const engineOptions = options.workerPoolSize ? { poolSize: options.workerPoolSize } : {};
  const producer = createJobEngine({ config, db, log }, { workerId: 'bench-producer' });
  define(producer);
  try {
    await producer.stats();
  } catch (error) {
    await db.close();
    throw error;
  }
  let worker: ReturnType<typeof createJobEngine> | null = null;
  let started = 0;
  const optionsOf = (mode: Mode, job: BenchJob) => ({ workspaceId: job.w === 'b' ? workspaces.b : workspaces.a, ...(mode === 'ordered' && job.k ? { orderingKey: job.k } : {}) });
  return {
    name: 'atrium',
    describe: `engine concurrency ${options.concurrency}, prefetch ${prefetch} (0 for keyed jobs); worker pool ${options.workerPoolSize ?? 'default (4)'} (the engine's own), app pool ${config.dbPoolMax} (enqueues) + owner pool ${ownerPoolSize}; enqueue in a tenant transaction (withWorkspace); bulk: enqueueMany per ${CHUNK}; ordering: orderingKey; fairness: workspaceId A / B`,
    async start(mode, handler) {
      current = handler;
      worker = createJobEngine({ config, db, log }, { workerId: `bench-worker-${++started}`, ...engineOptions });
      define(worker, mode);
      worker.start();
      // As graphile-worker's run() and pg-boss's start() resolve once connected.
      await worker.ready();
    },
    async stop() {
      await worker?.stop();
      worker = null;
    },
    async bulk(mode, jobs) {
      const byWorkspace = new Map<string, BenchJob[]>();
      for (const j of jobs) {
        const ws = j.w === 'b' ? workspaces.b : workspaces.a;
        byWorkspace.set(ws, [...(byWorkspace.get(ws) ?? []), j]);
      }
      for (const [ws, list] of byWorkspace) {
        for (const part of chunks(list)) {
          await db.withWorkspace(ws, (tx) => producer.enqueueMany(tx, QUEUE, part.map((payload) => ({ payload, options: optionsOf(mode, payload) }))));
        }
      }
    },
    async enqueueOne(mode, job) {
      const o = optionsOf(mode, job);
      await db.withWorkspace(o.workspaceId, (tx) => producer.enqueue(tx, QUEUE, job, o));
    },
    async remaining() {
      return db.withPlatform(async (tx) => Number((await tx.query<{ n: string }>('select count(*) as n from jobs where queue = $1', [QUEUE])).rows[0].n));
    },
    async reset() {
      await db.withPlatform((tx) => tx.query('delete from jobs where queue = $1', [QUEUE]));
      if (options.vacuum) await db.owner.query('vacuum analyze jobs, job_lanes');
    },
    async close() {
      await worker?.stop();
      await db.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// graphile-worker: run() with a taskList; ordering = queueName (a serial queue) per key.
// ---------------------------------------------------------------------------------------------
export async function createGraphile(options: ContenderOptions & { localQueueSize: number; completeJobBatchDelay: number }): Promise<Contender> {
  const logger = new GraphileLogger(() => (level, message) => {
    if (level === 'error') console.error(`graphile-worker: ${message}`);
  });
  // One pool for producer and workers, like Atrium's and pg-boss's.
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  await migrateGraphile({ pgPool: pool, logger });
  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: pool, logger });
  let runner: GraphileRunner | null = null;
  const spec = (mode: Mode, job: BenchJob) => (mode === 'ordered' && job.k ? { queueName: job.k } : {});
  // Its performance options (a local queue fetching in batches, batched completions) in plain
  // mode. Not for keyed jobs: a batched completion unlocks the key's queue only after the worker
  // has looked for its next job, and the local queue doesn't refetch when a queue unlocks, so the
  // next job of the key waits for the poll (2 s) — measured; the defaults serve keys better.
  const tuning = (mode: Mode) => (mode === 'ordered' ? {} : {
    ...(options.localQueueSize > 1 ? { localQueue: { size: options.localQueueSize } } : {}),
    completeJobBatchDelay: options.completeJobBatchDelay, failJobBatchDelay: options.completeJobBatchDelay,
  });
  return {
    name: 'graphile-worker',
    describe: `concurrency ${options.concurrency}; pool ${options.poolSize} (shared with addJob); plain queue: localQueue.size ${options.localQueueSize > 1 ? options.localQueueSize : 'off'} + completeJobBatchDelay ${options.completeJobBatchDelay}, keyed: defaults (no local queue, completions not batched); pollInterval 2 s (default); enqueue: addJob (one statement); bulk: addJobs per ${CHUNK}; ordering: queueName per key (serial queue); fairness: none (FIFO)`,
    async start(mode, handler) {
      runner = await runGraphile({
        pgPool: pool,
        logger,
        concurrency: options.concurrency,
        noHandleSignals: true,
        taskList: { bench: async (payload) => handler(payload as BenchJob) },
        preset: { worker: tuning(mode) },
      });
    },
    async stop() {
      await runner?.stop();
      runner = null;
    },
    async bulk(mode, jobs) {
      for (const part of chunks(jobs)) await utils.addJobs(part.map((payload) => ({ identifier: 'bench', payload, ...spec(mode, payload) })));
    },
    async enqueueOne(mode, job) {
      await utils.addJob('bench', job, spec(mode, job));
    },
    async remaining() {
      return Number((await pool.query<{ n: string }>('select count(*) as n from graphile_worker._private_jobs')).rows[0].n);
    },
    async reset() {
      await pool.query('delete from graphile_worker._private_jobs');
      await pool.query('delete from graphile_worker._private_job_queues');
      if (options.vacuum) await pool.query('vacuum analyze graphile_worker._private_jobs, graphile_worker._private_job_queues');
    },
    async close() {
      await runner?.stop();
      await utils.release();
      await pool.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// pg-boss: work() with localConcurrency × batchSize = the same number of handlers at once,
// LISTEN/NOTIFY on; ordering = a `key_strict_fifo` queue with singletonKey = the key.
// ---------------------------------------------------------------------------------------------
export async function createPgBoss(options: ContenderOptions & { batchSize: number; keyedBatchSize: number }): Promise<Contender> {
  const boss = new PgBoss({ connectionString: options.url, max: options.poolSize, useListenNotify: true, schedule: false });
  let lastError = '';
  boss.on('error', (error: Error) => {
    if (error.message !== lastError) console.error(`pg-boss: ${error.message}`);
    lastError = error.message;
  });
  boss.on('warning', () => {});
  await boss.start();
  const queues: Record<Mode, string> = { plain: 'bench', ordered: 'bench-ordered' };
  await boss.createQueue(queues.plain, { notify: true, retryLimit: 2 });
  await boss.createQueue(queues.ordered, { notify: true, retryLimit: 2, policy: 'key_strict_fifo' });
  const db = boss.getDb();
  // localConcurrency × batchSize = the handlers at once. A pg-boss worker waits its polling
  // interval after a batch that was not full, so with batchSize 1 each worker runs ~2 jobs/s
  // (measured: 32 jobs/s with 16 × 1). Plain queue: one worker fetching 16 at once (its best
  // throughput and latency here); keyed queue: 4 × 4 (a fetch returns one job per key, so more
  // workers poll more often: next-job gaps ~0.4 s p99 instead of 0.5 s).
  const shape = (batch: number) => {
    const batchSize = Math.max(1, Math.min(batch, options.concurrency));
    return { batchSize, localConcurrency: Math.max(1, Math.floor(options.concurrency / batchSize)) };
  };
  const shapes: Record<Mode, { batchSize: number; localConcurrency: number }> = { plain: shape(options.batchSize), ordered: shape(options.keyedBatchSize) };
  let working: string | null = null;
  const insertOf = (mode: Mode, job: BenchJob) => ({ data: job, ...(mode === 'ordered' && job.k ? { singletonKey: job.k } : {}) });
  return {
    name: 'pg-boss',
    describe: `work(): localConcurrency × batchSize = ${shapes.plain.localConcurrency} × ${shapes.plain.batchSize} (plain), ${shapes.ordered.localConcurrency} × ${shapes.ordered.batchSize} (keyed), a batch's jobs run concurrently; pool ${options.poolSize}; useListenNotify + queue notify, polling 0.5 s (the minimum) as backstop; enqueue: send (one call); bulk: insert per ${CHUNK}; ordering: policy key_strict_fifo + singletonKey; fairness: none (FIFO); completed jobs stay in the table (removed between workloads)`,
    async start(mode, handler) {
      working = queues[mode];
      const { localConcurrency, batchSize } = shapes[mode];
      await boss.work<BenchJob>(working, { localConcurrency, batchSize, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, burstWhenBatchFull: batchSize > 1 }, async (jobs) => {
        await Promise.all(jobs.map((j) => handler(j.data)));
      });
    },
    async stop() {
      if (working) await boss.offWork(working, { wait: true });
      working = null;
    },
    async bulk(mode, jobs) {
      for (const part of chunks(jobs)) await boss.insert(queues[mode], part.map((j) => insertOf(mode, j)));
    },
    async enqueueOne(mode, job) {
      const { data, ...rest } = insertOf(mode, job);
      await boss.send(queues[mode], data, rest);
    },
    async remaining() {
      const r = await db.executeSql(`select count(*) as n from pgboss.job where name = any($1) and state < 'completed'`, [[queues.plain, queues.ordered]]);
      return Number((r.rows[0] as { n: string }).n);
    },
    async reset() {
      await boss.deleteAllJobs(queues.plain);
      await boss.deleteAllJobs(queues.ordered);
      if (options.vacuum) await db.executeSql('vacuum analyze pgboss.job');
    },
    async close() {
      await boss.stop({ graceful: true, close: true, timeout: 5000 });
    },
  };
}
