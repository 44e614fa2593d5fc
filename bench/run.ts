// `npm run bench`: Atrium vs a bare Fastify + pg handler, same SQL, same database, same run.
// Load comes from this process (autocannon); each server is its own child process, and only
// one is under load at a time. Figures: requests/s at peak, ratio, p99 at half of peak, and the
// cost of binding the workspace (tenant transaction vs the same statement without binding).
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startBenchDatabase, BENCH_SECRET } from './lib/database.ts';
import { seed } from './lib/seed.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const root = path.resolve(import.meta.dirname, '..');

type Result = { rps: number; p50: number; p99: number; errors: number; non2xx: number };

function startServer(file: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=dir: a V8 CPU profile of each server run (where a contender's time goes).
    const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = fork(path.join(import.meta.dirname, 'servers', file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function load(url: string, token: string, options: { rate?: number; duration?: number } = {}): Promise<Result> {
  const result = await autocannon({
    url,
    connections: options.rate ? Math.max(4, Math.ceil(CONNECTIONS / 2)) : CONNECTIONS,
    duration: options.duration ?? DURATION,
    headers: { authorization: `Bearer ${token}` },
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function bindingCost(ownerUrl: string, workspaceId: string): Promise<{ boundMs: number; unboundMs: number; costMs: number }> {
  // Same connection, same statement; the only difference is the binding in the begin round trip.
  const appUrl = deriveAppUrl(ownerUrl, deriveAppPassword(BENCH_SECRET));
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  const sql = 'select id from api_keys where workspace_id = $1 limit 20';
  const iterations = 3000;
  const measure = async (bind: boolean) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      await client.query(bind ? `begin; select set_config('app.workspace_id', '${workspaceId}', true)` : 'begin');
      await client.query(sql, [workspaceId]);
      await client.query('commit');
    }
    return Number(process.hrtime.bigint() - start) / 1e6 / iterations;
  };
  await measure(true); // warm-up
  const unboundMs = await measure(false);
  const boundMs = await measure(true);
  await client.end();
  return { boundMs, unboundMs, costMs: boundMs - unboundMs };
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const database = await startBenchDatabase();
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, durationSeconds: DURATION, connections: CONNECTIONS, rounds: ROUNDS };
try {
  const s = await seed(database.ownerUrl);
  const appUrl = deriveAppUrl(database.ownerUrl, deriveAppPassword(BENCH_SECRET));
  const routes = [
    { name: 'GET /api/v1/auth/me', atrium: '/api/v1/auth/me', bare: '/me' },
    { name: 'GET /api/v1/api-keys (20 rows)', atrium: '/api/v1/api-keys', bare: '/list' },
  ];
  const port = 3901;
  const servers = {
    same: { label: 'bare, same statements', file: 'bare-server.ts', args: [String(port), database.ownerUrl, BENCH_SECRET, appUrl, 'same-statements'] },
    unisolated: { label: 'bare, query only', file: 'bare-server.ts', args: [String(port), database.ownerUrl, BENCH_SECRET, appUrl, 'unisolated'] },
    atrium: { label: 'Atrium', file: 'atrium-server.ts', args: [String(port), database.ownerUrl] },
  } as const;
  const rows: Array<Record<string, string>> = [];
  for (const route of routes) {
    const runs: Record<keyof typeof servers, Result[]> = { same: [], unisolated: [], atrium: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, so drift on the machine touches every contender alike.
      for (const key of Object.keys(servers) as Array<keyof typeof servers>) {
        const server = await startServer(servers[key].file, [...servers[key].args]);
        const url = `http://127.0.0.1:${port}${key === 'atrium' ? route.atrium : route.bare}`;
        await load(url, s.accessToken, { duration: 2 }); // warm-up: JIT, pools, prepared statements
        runs[key].push(await load(url, s.accessToken));
        await stopServer(server);
      }
    }
    const peak = {
      same: median(runs.same.map((r) => r.rps)),
      unisolated: median(runs.unisolated.map((r) => r.rps)),
      atrium: median(runs.atrium.map((r) => r.rps)),
    };
    const atrium = await startServer(servers.atrium.file, [...servers.atrium.args]);
    const halfRate = Math.floor(peak.atrium / 2);
    await load(`http://127.0.0.1:${port}${route.atrium}`, s.accessToken, { duration: 2 });
    const atriumHalf = await load(`http://127.0.0.1:${port}${route.atrium}`, s.accessToken, { rate: halfRate });
    await stopServer(atrium);
    const errors = Object.values(runs).flat().concat(atriumHalf).reduce((n, r) => n + r.errors + r.non2xx, 0);
    const ratio = peak.atrium / peak.same;
    results[route.name] = { runs, peak, ratio, isolationRatio: peak.same / peak.unisolated, atriumAtHalfPeak: { rate: halfRate, ...atriumHalf } };
    rows.push({
      route: route.name,
      [servers.same.label]: fmt(peak.same),
      Atrium: fmt(peak.atrium),
      ratio: `${fmt(ratio, 2)}×`,
      'Atrium p99 @ half peak': `${atriumHalf.p99} ms (${fmt(halfRate)}/s)`,
      [servers.unisolated.label]: fmt(peak.unisolated),
      'isolation cost': `${fmt(peak.same / peak.unisolated, 2)}×`,
      errors: String(errors),
    });
  }
  const binding = await bindingCost(database.ownerUrl, s.workspaceId);
  results.binding = binding;
  console.log(`\nAtrium vs a bare Fastify + pg handler (same SQL, same database, same run; median of ${ROUNDS} interleaved ${DURATION} s rounds, ${CONNECTIONS} connections)\n`);
  console.table(rows);
  console.log(`\nWorkspace binding: ${fmt(binding.boundMs, 3)} ms per transaction bound vs ${fmt(binding.unboundMs, 3)} ms unbound → cost ${fmt(binding.costMs, 3)} ms per request (target ≤ 0.3 ms)`);
  for (const r of rows) console.log(`ratio ${r.route}: ${r.ratio} (target ≥ 0.70×); p99 at half peak ${r['Atrium p99 @ half peak']} (target ≤ 25 ms)`);
  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'artifacts', 'bench-http.json'), JSON.stringify(results, null, 2));
} finally {
  await database.stop();
}
