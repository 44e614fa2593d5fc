// `npm run bench:audit`: what an audit event costs a mutation. The same mutation (an update of a
// workspace setting, the statement PATCH /workspaces/current runs) in a tenant transaction,
// without and with its audit event (`audit.record`, the hash-chain trigger included), on the
// same embedded PostgreSQL, in the same run: interleaved rounds, median reported. For context it
// also runs the whole use-case (validation, before/after reads, the event), which is what the
// route pays. Target: with ≤ 1.2× without.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/kernel/db/embedded.ts';
import { migrate } from '../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../src/main.ts';
import type { AuditContext } from '../src/modules/audit/index.ts';
import { upsertSettings } from '../src/modules/tenancy/workspace-settings.store.ts';
import { updateCurrentWorkspace } from '../src/modules/tenancy/update-workspace.ts';

const SECRET = 'bench-secret-atrium-0123456789abcdef-0123456789';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION ?? 5) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 16);
const root = path.resolve(import.meta.dirname, '..');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.atrium', 'bench-audit'), port: Number(process.env.ATRIUM_BENCH_AUDIT_PG_PORT ?? 54352) });
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
const workspaces: string[] = [];
await db.withPlatform(async (tx) => {
  for (let i = 0; i < CONCURRENCY; i++) {
    const w = await platform.tenancy.createWorkspace(tx, { name: `Bench ${i}` });
    workspaces.push(w.id);
  }
});
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

try {
  for (const c of contenders) await load(c, 1000); // warm-up: connections, prepared plans
  // Two regimes: one request at a time (latency, what a caller waits), and saturation (every
  // loop busy: throughput, i.e. what the event costs in CPU on this 2-core machine).
  const measure = async (loops: number) => {
    const runs = new Map<string, Array<{ opsPerSec: number; meanMs: number }>>(contenders.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of contenders) {
        const r = await load(c, DURATION_MS, loops);
        runs.get(c.name)!.push(r);
        console.error(`${loops} loop(s), round ${round + 1}/${ROUNDS} ${c.name}: ${Math.round(r.opsPerSec)} ops/s, mean ${r.meanMs.toFixed(3)} ms`);
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
  const chains = await platform.audit.verifyChains();
  const events = chains.reduce((n, c) => n + c.checked, 0);

  console.log(`\nA mutation with its audit event vs the same mutation without (same database, same run; median of ${ROUNDS} interleaved ${DURATION_MS / 1000} s rounds)\n`);
  console.log('  one at a time (latency):');
  for (const s of latency) console.log(`    ${s.name.padEnd(38)} mean ${s.meanMs.toFixed(3)} ms   ${String(s.opsPerSec).padStart(6)} ops/s`);
  console.log(`  ${CONCURRENCY} concurrent loops, one workspace each (saturation):`);
  for (const s of summary) console.log(`    ${s.name.padEnd(38)} ${String(s.opsPerSec).padStart(6)} ops/s   mean ${s.meanMs.toFixed(2)} ms   rounds ${s.rounds.join(' · ')}`);
  console.log(`\n  with/without, latency:    ${latencyRatio.toFixed(2)}× (target ≤ 1.20×) ${latencyRatio <= 1.2 ? 'OK' : 'OVER TARGET'}`);
  console.log(`  with/without, saturation: ${ratio.toFixed(2)}× (target ≤ 1.20×) ${ratio <= 1.2 ? 'OK' : 'OVER TARGET'}`);
  console.log(`  whole use-case vs bare statement: latency ${(latency[2].meanMs / latency[0].meanMs).toFixed(2)}×, saturation ${(bare.opsPerSec / useCase.opsPerSec).toFixed(2)}×`);
  console.log(`  ${events} events written, ${chains.length} chains verified: ${chains.every((c) => c.isValid) ? 'all valid' : 'BROKEN'}`);
  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'artifacts', 'bench-audit.json'), JSON.stringify({ latencyRatio, saturationRatio: ratio, latency, saturation: summary, events }, null, 2));
} finally {
  await platform.close();
  await db.close();
  await embedded.stop();
}
