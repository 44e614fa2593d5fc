// `npm run bench:scale-out` (issue 16): 1, 2 and 3 Atrium API processes behind a transaction-
// pooling PgBouncer (Debian's) on the authenticated list route, against the same number of bare
// Fastify + pg peer processes sending the same SQL through the same PgBouncer. Load from this
// process (one autocannon per server, concurrently); the ratio of total requests/s at each count
// (target ≥ 0.70×), errors (target 0). On 2 cores the totals flatten past 1–2 processes: the
// figure that matters is that the ratio holds, i.e. nothing in Atrium collapses as processes are added.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { startBenchDatabase, BENCH_SECRET } from './lib/database.ts';
import { seed } from './lib/seed.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';
import { startPgBouncer } from '../test/helpers/pgbouncer.ts';
import { startProcess, stopProcess } from './lib/processes.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 24);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const root = path.resolve(import.meta.dirname, '..');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Every server under load at once, CONNECTIONS split between them; total requests/s and errors. */
async function loadAll(urls: string[], token: string, duration: number): Promise<{ rps: number; errors: number; p99: number }> {
  const results = await Promise.all(urls.map((url) => autocannon({
    url, connections: Math.max(2, Math.round(CONNECTIONS / urls.length)), duration, headers: { authorization: `Bearer ${token}` },
  })));
  return {
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

const database = await startBenchDatabase();
const pgPort = Number(new URL(database.ownerUrl).port);
const bouncer = await startPgBouncer({ postgresPort: pgPort, port: pgPort + 200, users: { postgres: 'atrium-embedded', atrium_app: deriveAppPassword(BENCH_SECRET) }, poolSize: 20 });
try {
  const s = await seed(database.ownerUrl);
  const pooledOwner = bouncer.through(database.ownerUrl);
  const pooledApp = deriveAppUrl(pooledOwner, deriveAppPassword(BENCH_SECRET));
  const contenders = {
    atrium: (port: number) => ({ file: 'atrium-server.ts', args: [String(port), pooledOwner, '-', database.ownerUrl], path: '/api/v1/api-keys' }),
    bare: (port: number) => ({ file: 'bare-server.ts', args: [String(port), database.ownerUrl, BENCH_SECRET, pooledApp, 'pooled'], path: '/list' }),
  };
  const rows: Array<Record<string, string>> = [];
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, durationSeconds: DURATION, connections: CONNECTIONS, rounds: ROUNDS, pgbouncerPoolSize: 20 };
  for (const count of [1, 2, 3]) {
    const runs: Record<keyof typeof contenders, Array<{ rps: number; errors: number; p99: number }>> = { atrium: [], bare: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of Object.keys(contenders) as Array<keyof typeof contenders>) {
        const specs = Array.from({ length: count }, (_, i) => contenders[key](3911 + i));
        const servers = await Promise.all(specs.map(async (spec) => (await startProcess(spec.file, spec.args)).child));
        const urls = specs.map((spec, i) => `http://127.0.0.1:${3911 + i}${spec.path}`);
        await loadAll(urls, s.accessToken, 2); // warm-up
        runs[key].push(await loadAll(urls, s.accessToken, DURATION));
        await Promise.all(servers.map(stopProcess));
      }
    }
    const atrium = median(runs.atrium.map((r) => r.rps));
    const bare = median(runs.bare.map((r) => r.rps));
    const errors = [...runs.atrium, ...runs.bare].reduce((n, r) => n + r.errors, 0);
    results[`${count}`] = { runs, atrium, bare, ratio: atrium / bare };
    rows.push({ processes: String(count), 'bare Fastify + pg (req/s)': fmt(bare), 'Atrium (req/s)': fmt(atrium), ratio: `${fmt(atrium / bare, 2)}×`, 'Atrium p99 (ms)': String(median(runs.atrium.map((r) => r.p99))), errors: String(errors) });
  }
  console.log(`\nGET /api/v1/api-keys (20 rows) through PgBouncer (transaction pooling, 20 server connections per login): Atrium vs bare Fastify + pg, same SQL; median of ${ROUNDS} interleaved ${DURATION} s rounds, ${CONNECTIONS} connections split across the processes\n`);
  console.table(rows);
  for (const r of rows) console.log(`ratio at ${r.processes} process(es): ${r.ratio} (target ≥ 0.70×), errors ${r.errors} (target 0)`);
  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'artifacts', 'bench-scale-out.json'), JSON.stringify(results, null, 2));
} finally {
  await bouncer.stop();
  await database.stop();
}
