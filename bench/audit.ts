// `npm run bench:audit`: what an audit event costs a mutation, at two levels, same run.
//
// (a) End to end over HTTP — the figure the governance issue's target (≤ 1.2×) applies to:
//     PATCH /api/v1/workspaces/current (a rename: validation, two round trips, the event) on the
//     real app, one server child process with audit recording on and one with it off (the
//     bench-only `isRecording: false` switch of createAuditModule; same code, same database),
//     loaded in turn by autocannon from this process with a user session per workspace. Both
//     run the audit sealer, as the workers do in production: the audited server's sealer links
//     its events into their chains every second while it is under load, so its cost is counted.
// (b) At the database: the statement PATCH sends for a setting (an upsert) in a tenant
//     transaction, without and with its event (`audit.record`, pipelined: the event row; its link
//     is made by the sealer after commit, not here), plus the whole use-case in process.
//
// Interleaved rounds, median reported; one request at a time (latency) and 16 concurrent loops,
// one workspace each (saturation). Every chain is verified at the end.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/kernel/db/embedded.ts';
import { postmasterPid, processTreeCpuMs } from './lib/cpu.ts';
import { migrate } from '../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../src/main.ts';
import type { AuditContext } from '../src/modules/audit/index.ts';
import { upsertSettings } from '../src/modules/tenancy/workspace-settings.store.ts';
import { updateCurrentWorkspace } from '../src/modules/tenancy/update-workspace.ts';

const SECRET = 'bench-secret-atrium-0123456789abcdef-0123456789';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const DURATION_MS = Number(process.env.BENCH_DURATION ?? 5) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 16);
const root = path.resolve(import.meta.dirname, '..');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function startServer(ownerUrl: string, recording: 'on' | 'off'): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=dir: a V8 CPU profile of each server (where the event's cost is in Node).
    const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=audit-${recording}.cpuprofile`] : [];
    const child = fork(path.join(import.meta.dirname, 'servers', 'audit-server.ts'), ['0', ownerUrl, recording], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    child.once('message', (m) => resolve({ child, port: (m as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`audit-server (${recording}) exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const dataDir = path.join(root, '.atrium', 'bench-audit');
const embedded = await startEmbeddedPostgres({ dataDir, port: Number(process.env.ATRIUM_BENCH_AUDIT_PG_PORT ?? 54352) });
const pgPid = postmasterPid(path.join(dataDir, 'pg'));
const adminUrl = embedded.url.replace(/\/atrium$/, '/postgres');
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query('drop database if exists atrium_bench_audit with (force)');
await admin.query('create database atrium_bench_audit');
await admin.end();
const ownerUrl = adminUrl.replace(/\/postgres$/, '/atrium_bench_audit');
const migrator = new pg.Pool({ connectionString: ownerUrl });
migrator.on('error', () => {});
await migrate(migrator, { appPassword: deriveAppPassword(SECRET) });
await migrator.end();

const config = loadConfig({ DATABASE_URL: ownerUrl, ATRIUM_SECRET: SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/bench-data', ATRIUM_DB_POOL_MAX: String(CONCURRENCY) }, { loadDotenv: false });
const log = createLogger('silent');
const db = await connectDatabase(config, log, ownerUrl);
const platform = await buildPlatform(config, db, log, { serveConsole: false });

// One workspace per concurrent loop: appends to different chains don't wait for each other,
// as in production where requests spread over many workspaces.
// For HTTP, one owner with a session (access token) in each workspace: the console's path, the
// lightest authentication (a verified token and a cached session state).
const workspaces: string[] = [];
const passwordHash = await platform.identity.passwords.hash('bench-password-123');
const ownerId = await db.withPlatform(async (tx) => {
  const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ('bench-audit@example.com', 'Bench', $1) returning id`, [passwordHash]);
  for (let i = 0; i < CONCURRENCY; i++) {
    const w = await platform.tenancy.createWorkspace(tx, { name: `Bench ${i}` });
    await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [w.id, u.rows[0].id]);
    workspaces.push(w.id);
  }
  return u.rows[0].id;
});
const tokens: string[] = [];
for (const ws of workspaces) {
  const pair = await db.withWorkspace(ws, (tx) => platform.identity.sessions.openSession(tx, { userId: ownerId, workspaceId: ws, role: 'owner', isPlatformAdmin: false }));
  tokens.push(pair.accessToken);
}
const context: AuditContext = { actor: { type: 'user', id: '01900000-0000-7000-8000-000000000001' }, ip: '127.0.0.1', userAgent: 'bench/1.0', requestId: 'bench-request-0001', traceId: null };
const zones = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'UTC'];

type Contender = { name: string; run: (ws: string, i: number) => Promise<unknown> };

const contenders: Contender[] = [
  {
    name: 'without audit',
    run: (ws, i) => db.withWorkspace(ws, (tx) => upsertSettings(tx, ws, { timezone: zones[i % 4] })),
  },
  {
    name: 'with audit',
    // As the use-case writes it: the event is sent with the change (pipelined), not after it.
    run: (ws, i) => db.withWorkspace(ws, (tx) => Promise.all([
      upsertSettings(tx, ws, { timezone: zones[i % 4] }),
      platform.audit.record(tx, context, {
        workspaceId: ws, action: 'workspace.updated', targetType: 'workspace', targetId: ws,
        diff: { before: { settings: { timezone: zones[(i + 3) % 4] } }, after: { settings: { timezone: zones[i % 4] } } },
      }),
    ])),
  },
  {
    name: 'use-case (PATCH /workspaces/current)',
    run: (ws, i) => updateCurrentWorkspace({ db, settings: platform.tenancy.settings, audit: platform.audit }, ws, { settings: { timezone: zones[i % 4] } }, context),
  },
];

async function load(contender: Contender, durationMs: number, loops = CONCURRENCY): Promise<{ opsPerSec: number; meanMs: number }> {
  const deadline = Date.now() + durationMs;
  let ops = 0;
  let totalNs = 0n;
  await Promise.all(workspaces.slice(0, loops).map(async (ws) => {
    for (let i = 0; Date.now() < deadline; i++) {
      const start = process.hrtime.bigint();
      await contender.run(ws, i);
      totalNs += process.hrtime.bigint() - start;
      ops++;
    }
  }));
  return { opsPerSec: ops / (durationMs / 1000), meanMs: Number(totalNs / BigInt(ops)) / 1e6 };
}

type HttpRun = { rps: number; meanMs: number; p99: number; errors: number; non2xx: number; requests: number; cpuMsPerRequest: number };

/**
 * PATCH /workspaces/current renaming the workspace, each connection in its own workspace with
 * its own session, alternating two names so every request changes something (a patch changing
 * nothing records nothing). `tag` keeps names fresh across runs.
 */
async function loadHttp(port: number, connections: number, durationS: number, tag: string): Promise<HttpRun> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: durationS,
    setupClient: (client) => {
      const i = next++ % tokens.length;
      const headers = { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' };
      client.setRequests(['A', 'B'].map((v) => ({
        method: 'PATCH', path: '/api/v1/workspaces/current', headers, body: JSON.stringify({ name: `Bench ${i} ${tag} ${v}` }),
      })));
    },
  });
  return { rps: result.requests.average, meanMs: result.latency.mean, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx, requests: result.requests.total, cpuMsPerRequest: 0 };
}

const countEvents = () => db.withPlatform(async (tx) => Number((await tx.query<{ n: string }>("select count(*) as n from audit_events where action = 'workspace.updated'")).rows[0].n));

type HttpSummary = { name: string; rps: number; meanMs: number; p99: number; rounds: number[]; cpuMsPerRequest: number };

type HttpComparison = {
  off: HttpSummary; on: HttpSummary; failures: number; latencyRatio: number; throughputRatio: number; pairRatios: number[];
  /** CPU per request (server process + PostgreSQL cluster), audited / unaudited: median of the rounds' pairs. */
  cpuRatio: number; cpuPairRatios: number[];
};

async function measureHttp(servers: Record<'off' | 'on', { port: number; pid: number }>, connections: number): Promise<HttpComparison> {
  const runs: Record<'off' | 'on', HttpRun[]> = { off: [], on: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Interleaved, and the order flips each round, so drift on the machine touches both alike.
    const order: Array<'off' | 'on'> = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const key of order) {
      // CPU of the server under load and of the whole PostgreSQL cluster (backends, WAL writer,
      // autovacuum): what the requests cost the machine, whatever else the host is doing.
      const cpuBefore = [processTreeCpuMs([servers[key].pid]), processTreeCpuMs([pgPid])];
      const r = await loadHttp(servers[key].port, connections, DURATION_MS / 1000, `c${connections}r${round}${key}`);
      const [server, database] = [processTreeCpuMs([servers[key].pid]) - cpuBefore[0], processTreeCpuMs([pgPid]) - cpuBefore[1]].map((ms) => ms / Math.max(1, r.requests));
      r.cpuMsPerRequest = server + database;
      runs[key].push(r);
      console.error(`HTTP ${connections} connection(s), round ${round + 1}/${ROUNDS} audit ${key}: ${Math.round(r.rps)} req/s, mean ${r.meanMs.toFixed(2)} ms, p99 ${r.p99} ms, CPU per request: server ${server.toFixed(3)} ms + PostgreSQL ${database.toFixed(3)} ms${r.non2xx + r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ''}`);
    }
  }
  const sum = (key: 'off' | 'on', name: string): HttpSummary => ({
    name, rps: Math.round(median(runs[key].map((r) => r.rps))), meanMs: Number(median(runs[key].map((r) => r.meanMs)).toFixed(3)),
    p99: median(runs[key].map((r) => r.p99)), rounds: runs[key].map((r) => Math.round(r.rps)), cpuMsPerRequest: median(runs[key].map((r) => r.cpuMsPerRequest)),
  });
  const failures = [...runs.off, ...runs.on].reduce((n, r) => n + r.errors + r.non2xx, 0);
  // Each round's pair ran back to back: the median of the pairs' ratios cancels the machine's
  // drift between rounds better than the ratio of two medians.
  const pairs = runs.on.map((on, i) => ({ latency: on.meanMs / runs.off[i].meanMs, throughput: runs.off[i].rps / on.rps, cpu: on.cpuMsPerRequest / runs.off[i].cpuMsPerRequest }));
  return {
    off: sum('off', 'audit off'), on: sum('on', 'audit on'), failures,
    latencyRatio: median(pairs.map((p) => p.latency)), throughputRatio: median(pairs.map((p) => p.throughput)),
    pairRatios: pairs.map((p) => p.throughput), cpuRatio: median(pairs.map((p) => p.cpu)), cpuPairRatios: pairs.map((p) => p.cpu),
  };
}

const servers: ChildProcess[] = [];
try {
  // (a) HTTP. Both servers run for the whole phase; only one is under load at a time.
  const off = await startServer(ownerUrl, 'off');
  servers.push(off.child);
  const on = await startServer(ownerUrl, 'on');
  servers.push(on.child);
  const ports = { off: { port: off.port, pid: off.child.pid! }, on: { port: on.port, pid: on.child.pid! } };
  const eventsBeforeHttp = await countEvents();
  await loadHttp(ports.off.port, CONCURRENCY, 2, 'warmoff'); // JIT, pools, plans
  const eventsAfterOffWarmup = await countEvents();
  await loadHttp(ports.on.port, CONCURRENCY, 2, 'warmon');
  const httpLatency = await measureHttp(ports, 1);
  const httpSaturation = await measureHttp(ports, CONCURRENCY);
  for (const child of servers.splice(0)) await stopServer(child);
  const httpEvents = (await countEvents()) - eventsBeforeHttp;

  // (b) The database-level pair, in process.
  for (const c of contenders) await load(c, 1000); // warm-up: connections, prepared plans
  // Two regimes: one request at a time (latency, what a caller waits), and saturation (every
  // loop busy: throughput, i.e. what the event costs in CPU on this 2-core machine).
  const measure = async (loops: number) => {
    const runs = new Map<string, Array<{ opsPerSec: number; meanMs: number }>>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of contenders) {
        const r = await load(c, DURATION_MS, loops);
        runs.get(c.name)!.push(r);
        console.error(`DB ${loops} loop(s), round ${round + 1}/${ROUNDS} ${c.name}: ${Math.round(r.opsPerSec)} ops/s, mean ${r.meanMs.toFixed(3)} ms`);
      }
    }
    return contenders.map((c) => {
      const rs = runs.get(c.name)!;
      return { name: c.name, opsPerSec: Math.round(median(rs.map((r) => r.opsPerSec))), meanMs: Number(median(rs.map((r) => r.meanMs)).toFixed(3)), rounds: rs.map((r) => Math.round(r.opsPerSec)) };
    });
  };
  const latency = await measure(1);
  const summary = await measure(CONCURRENCY);
  const [bare, audited, useCase] = summary;
  const ratio = bare.opsPerSec / audited.opsPerSec;
  const latencyRatio = latency[1].meanMs / latency[0].meanMs;
  const httpLatencyRatio = httpLatency.latencyRatio;
  const httpRatio = httpSaturation.throughputRatio;
  await platform.audit.seal(); // the events of (b), recorded in process without a sealer running
  const chains = await platform.audit.verifyChains();
  const events = chains.reduce((n, c) => n + c.checked, 0);
  const verdict = (r: number) => `${r.toFixed(2)}× (target ≤ 1.20×) ${r <= 1.2 ? 'OK' : 'OVER TARGET'}`;

  console.log(`\nA mutation with its audit event vs the same mutation without (same database, same run; median of ${ROUNDS} interleaved ${DURATION_MS / 1000} s rounds)\n`);
  console.log('(a) End to end over HTTP: PATCH /api/v1/workspaces/current (rename), audit recording on vs off — the target applies here');
  console.log(`    one at a time:   off mean ${httpLatency.off.meanMs.toFixed(2)} ms (${httpLatency.off.rps} req/s)   on mean ${httpLatency.on.meanMs.toFixed(2)} ms (${httpLatency.on.rps} req/s)`);
  console.log(`    ${CONCURRENCY} connections:  off ${httpSaturation.off.rps} req/s (p99 ${httpSaturation.off.p99} ms, rounds ${httpSaturation.off.rounds.join(' · ')})   on ${httpSaturation.on.rps} req/s (p99 ${httpSaturation.on.p99} ms, rounds ${httpSaturation.on.rounds.join(' · ')})`);
  console.log(`    with/without, latency:    ${verdict(httpLatencyRatio)}   (median of the rounds' pairs; of the medians ${(httpLatency.on.meanMs / httpLatency.off.meanMs).toFixed(2)}×)`);
  console.log(`    with/without, saturation: ${verdict(httpRatio)}   (median of the rounds' pairs ${httpSaturation.pairRatios.map((r) => r.toFixed(2)).join(' · ')}; of the medians ${(httpSaturation.off.rps / httpSaturation.on.rps).toFixed(2)}×)`);
  console.log(`    with/without, CPU per request (server + PostgreSQL), ${CONCURRENCY} connections: ${verdict(httpSaturation.cpuRatio)}   (off ${httpSaturation.off.cpuMsPerRequest.toFixed(3)} ms, on ${httpSaturation.on.cpuMsPerRequest.toFixed(3)} ms; pairs ${httpSaturation.cpuPairRatios.map((r) => r.toFixed(2)).join(' · ')})`);
  console.log(`    with/without, CPU per request, one at a time: ${httpLatency.cpuRatio.toFixed(2)}×   (off ${httpLatency.off.cpuMsPerRequest.toFixed(3)} ms, on ${httpLatency.on.cpuMsPerRequest.toFixed(3)} ms)`);
  console.log(`    ${httpLatency.failures + httpSaturation.failures} failed requests; ${httpEvents} events recorded by the audited server, ${eventsAfterOffWarmup - eventsBeforeHttp} by the unaudited one during its warm-up (expected 0)`);
  console.log('\n(b) At the database: the setting upsert in a tenant transaction, without vs with its event (insight: what the event itself costs)');
  console.log('  one at a time (latency):');
  for (const s of latency) console.log(`    ${s.name.padEnd(38)} mean ${s.meanMs.toFixed(3)} ms   ${String(s.opsPerSec).padStart(6)} ops/s`);
  console.log(`  ${CONCURRENCY} concurrent loops, one workspace each (saturation):`);
  for (const s of summary) console.log(`    ${s.name.padEnd(38)} ${String(s.opsPerSec).padStart(6)} ops/s   mean ${s.meanMs.toFixed(2)} ms   rounds ${s.rounds.join(' · ')}`);
  console.log(`\n  with/without, latency:    ${latencyRatio.toFixed(2)}×`);
  console.log(`  with/without, saturation: ${ratio.toFixed(2)}×`);
  console.log(`  whole use-case vs bare statement: latency ${(latency[2].meanMs / latency[0].meanMs).toFixed(2)}×, saturation ${(bare.opsPerSec / useCase.opsPerSec).toFixed(2)}×`);
  console.log(`\n${events} events written, ${chains.length} chains verified: ${chains.every((c) => c.isValid) ? 'all valid' : 'BROKEN'}`);
  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'artifacts', 'bench-audit.json'), JSON.stringify({
    date: new Date().toISOString(), node: process.version, rounds: ROUNDS, durationSeconds: DURATION_MS / 1000, concurrency: CONCURRENCY,
    http: { latencyRatio: httpLatencyRatio, saturationRatio: httpRatio, latency: httpLatency, saturation: httpSaturation, events: httpEvents },
    database: { latencyRatio, saturationRatio: ratio, latency, saturation: summary },
    events, chainsValid: chains.every((c) => c.isValid),
  }, null, 2));
} finally {
  for (const child of servers) await stopServer(child);
  await platform.close();
  await db.close();
  await embedded.stop();
}
