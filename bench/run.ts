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
    const child = fork(path.join(import.meta.dirname, 'servers', file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

const database = await startBenchDatabase();
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, durationSeconds: DURATION, connections: CONNECTIONS };
try {
  const s = await seed(database.ownerUrl);
  const routes = [
    { name: 'GET /api/v1/auth/me', atrium: '/api/v1/auth/me', bare: '/me' },
    { name: 'GET /api/v1/api-keys (20 rows)', atrium: '/api/v1/api-keys', bare: '/list' },
  ];
  const atriumPort = 3901;
  const barePort = 3902;
  const rows: Array<Record<string, string>> = [];
  for (const route of routes) {
    const bare = await startServer('bare-server.ts', [String(barePort), database.ownerUrl, BENCH_SECRET]);
    await load(`http://127.0.0.1:${barePort}${route.bare}`, s.accessToken, { duration: 2 }); // warm-up
    const bareResult = await load(`http://127.0.0.1:${barePort}${route.bare}`, s.accessToken);
    await stopServer(bare);

    const atrium = await startServer('atrium-server.ts', [String(atriumPort), database.ownerUrl]);
    await load(`http://127.0.0.1:${atriumPort}${route.atrium}`, s.accessToken, { duration: 2 });
    const atriumResult = await load(`http://127.0.0.1:${atriumPort}${route.atrium}`, s.accessToken);
    const halfRate = Math.floor(atriumResult.rps / 2);
    const atriumHalf = await load(`http://127.0.0.1:${atriumPort}${route.atrium}`, s.accessToken, { rate: halfRate });
    await stopServer(atrium);

    const ratio = atriumResult.rps / bareResult.rps;
    results[route.name] = { bare: bareResult, atrium: atriumResult, atriumAtHalfPeak: { rate: halfRate, ...atriumHalf }, ratio };
    rows.push({
      route: route.name,
      'bare req/s': fmt(bareResult.rps),
      'atrium req/s': fmt(atriumResult.rps),
      ratio: `${fmt(ratio, 2)}×`,
      'atrium p99 @ peak': `${atriumResult.p99} ms`,
      [`p99 @ half peak`]: `${atriumHalf.p99} ms (${fmt(halfRate)}/s)`,
      errors: String(bareResult.errors + bareResult.non2xx + atriumResult.errors + atriumResult.non2xx + atriumHalf.errors + atriumHalf.non2xx),
    });
  }
  const binding = await bindingCost(database.ownerUrl, s.workspaceId);
  results.binding = binding;
  console.log('\nAtrium vs bare Fastify + pg (same SQL, same database, same run)\n');
  console.table(rows);
  console.log(`\nWorkspace binding: ${fmt(binding.boundMs, 3)} ms per transaction bound vs ${fmt(binding.unboundMs, 3)} ms unbound → cost ${fmt(binding.costMs, 3)} ms per request`);
  for (const r of rows) console.log(`ratio ${r.route}: ${r.ratio} (target ≥ 0.70×)`);
  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'artifacts', 'bench-http.json'), JSON.stringify(results, null, 2));
} finally {
  await database.stop();
}
