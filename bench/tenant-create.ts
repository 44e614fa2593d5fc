// `npm run bench:tenant-create`: `atrium tenant create` → the first authenticated GraphQL answer
// with the key it printed (issue 14: ≤ 5 s p95; Kapok: < 30 s). Each run spawns the CLI as a user
// would (`node bin/atrium.mjs tenant create <slug> --json` on DATABASE_URL: the workspace, its data
// schema and role, an admin API key), then POSTs `{ _empty }` with that key to a running Atrium API
// process until it answers 200. The peer, same run: a bare Node process that connects with pg and
// makes a role, a schema and a key row in one transaction (bench/servers/tenant-bare.ts), then a
// POST to a bare Fastify + pg server that looks the key up (bench/servers/tenant-bare-server.ts).
// BENCH_RUNS (default 10).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { pct, startProcess as start, stopProcess as stop } from './lib/processes.ts';
import { startBenchDatabase, BENCH_SECRET } from './lib/database.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PORT = 3876;
const BARE_PORT = 3877;
process.env.ATRIUM_BENCH_PG_PORT ??= '54373';
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

const database = await startBenchDatabase();
const atrium = await start('atrium-server.ts', [String(PORT), database.ownerUrl]);
const bare = await start('tenant-bare-server.ts', [String(BARE_PORT), database.ownerUrl]);

async function firstAnswer(url: string, key: string, body: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const text = await res.text();
    if (res.status === 200 && text.includes('"_empty":null')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} never answered with the new key`);
}

const env = { ...process.env, DATABASE_URL: database.ownerUrl, ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: '.atrium/bench-data' };
const atriumTimes: number[] = [];
const bareTimes: number[] = [];
const cliTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let t0 = performance.now();
  const created = await run(process.execPath, [path.join(root, 'bin/atrium.mjs'), 'tenant', 'create', `bench-tenant-${i}`, '--json'], { env, cwd: root });
  cliTimes.push(performance.now() - t0);
  const { apiKey } = JSON.parse(created.stdout) as { apiKey: string };
  await firstAnswer(`http://127.0.0.1:${PORT}/api/v1/data/graphql`, apiKey, JSON.stringify({ query: '{ _empty }' }));
  atriumTimes.push(performance.now() - t0);

  t0 = performance.now();
  const made = await run(process.execPath, [path.join(root, 'bench/servers/tenant-bare.ts'), database.ownerUrl], { cwd: root });
  await firstAnswer(`http://127.0.0.1:${BARE_PORT}/graphql`, (JSON.parse(made.stdout) as { apiKey: string }).apiKey, '{}');
  bareTimes.push(performance.now() - t0);
}
await stop(atrium.child);
await stop(bare.child);
await database.stop();

const f = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
console.log(`tenant create → first GraphQL answer, ${RUNS} runs`);
console.log(`  atrium   p50 ${f(pct(atriumTimes, 0.5))}  p95 ${f(pct(atriumTimes, 0.95))}  (the CLI alone p50 ${f(pct(cliTimes, 0.5))})`);
console.log(`  bare     p50 ${f(pct(bareTimes, 0.5))}  p95 ${f(pct(bareTimes, 0.95))}`);
console.log(`  ratio atrium/bare p50 ${(pct(atriumTimes, 0.5) / pct(bareTimes, 0.5)).toFixed(2)}×; target p95 ≤ 5,000 ms: ${pct(atriumTimes, 0.95) <= 5000 ? 'met' : 'NOT met'}`);
