// `npm run bench:webhooks`: webhooks in and out, on the embedded PostgreSQL, same run.
//  * Inbound: signed deliveries (a unique webhook-id each) POSTed to Atrium's
//    /api/v1/hooks/:id (verify + deduplicate + commit, the endpoint stores only) and to a named
//    peer, a bare Fastify + pg handler doing the same verification and `insert … on conflict`
//    (bench/servers/webhooks-bare-server.ts). Figures: deliveries/s at peak with p99, and p99
//    at a fixed 3,000/s. Target (issue 4): ≥ 3,000/s with p99 ≤ 25 ms.
//  * Outbound: events emitted at 200/s in their own transactions, delivered by the job engine
//    to a receiver on loopback; latency = arrival at the receiver − emit (same process clock).
//    Target: p95 ≤ 100 ms.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { startBenchDatabase, BENCH_SECRET } from './lib/database.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';
import { deriveKey } from '../src/kernel/crypto.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { createLogger } from '../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../src/main.ts';
import { generateSecret, sealSecret } from '../src/modules/webhooks/signing.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ATRIUM_PORT = 3851;
const PEER_PORT = 3852;
process.env.ATRIUM_BENCH_PG_PORT ??= '54364';

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

/** Load with a fresh, correctly signed delivery per request. */
async function inbound(url: string, secret: string, prefix: string, options: { rate?: number } = {}): Promise<Result> {
  const signer = new Webhook(secret);
  let n = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: options.rate ? 16 : CONNECTIONS,
    duration: DURATION,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [{
      setupRequest: (request) => {
        const id = `${prefix}_${n++}`;
        const at = new Date();
        const body = JSON.stringify({ id, type: 'order.created', data: { amount: 4200, currency: 'EUR' } });
        return {
          ...request, method: 'POST', body,
          headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(id, at, body) },
        };
      },
    }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const database = await startBenchDatabase();
const ownerUrl = database.ownerUrl;
const appUrl = deriveAppUrl(ownerUrl, deriveAppPassword(BENCH_SECRET));
try {
  // Seed: one workspace, one store-only endpoint with a known secret (sealed as Atrium seals it).
  const secret = generateSecret();
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const workspaceId = (await owner.query<{ id: string }>(`insert into workspaces (slug, name) values ('hooks', 'Hooks') returning id`)).rows[0].id;
  const endpointId = (await owner.query<{ id: string }>('select atrium_uuidv7() as id')).rows[0].id;
  const sealed = sealSecret(deriveKey(BENCH_SECRET, 'atrium:webhook-secrets:v1'), { kind: 'endpoint', workspaceId, id: endpointId }, secret);
  await owner.query(`insert into webhook_endpoints (workspace_id, id, name, target_kind, secret_sealed) values ($1, $2, 'bench', 'none', $3)`, [workspaceId, endpointId, sealed]);

  // ---- inbound -------------------------------------------------------------------------------
  const results: Record<string, Result> = {};
  const atrium = await startServer('atrium-server.ts', [String(ATRIUM_PORT), ownerUrl]);
  await inbound(`http://127.0.0.1:${ATRIUM_PORT}/api/v1/hooks/${endpointId}`, secret, 'warm_a', {});
  results.atriumPeak = await inbound(`http://127.0.0.1:${ATRIUM_PORT}/api/v1/hooks/${endpointId}`, secret, 'atrium_peak');
  results.atriumAt3000 = await inbound(`http://127.0.0.1:${ATRIUM_PORT}/api/v1/hooks/${endpointId}`, secret, 'atrium_3000', { rate: 3000 });
  await stopServer(atrium);
  const peer = await startServer('webhooks-bare-server.ts', [String(PEER_PORT), appUrl, workspaceId, endpointId, secret]);
  await inbound(`http://127.0.0.1:${PEER_PORT}/hooks/${endpointId}`, secret, 'warm_p', {});
  results.peerPeak = await inbound(`http://127.0.0.1:${PEER_PORT}/hooks/${endpointId}`, secret, 'peer_peak');
  results.peerAt3000 = await inbound(`http://127.0.0.1:${PEER_PORT}/hooks/${endpointId}`, secret, 'peer_3000', { rate: 3000 });
  await stopServer(peer);
  const stored = await owner.query<{ n: number }>(`select count(*)::int as n from webhook_inbound_deliveries where webhook_id like 'atrium_peak_%'`);
  await owner.end();

  // ---- outbound ------------------------------------------------------------------------------
  const config = loadConfig({ DATABASE_URL: ownerUrl, ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: '.atrium/bench-data', ATRIUM_RATE_LIMIT_DEFAULT: '1000000000' }, { loadDotenv: false });
  const log = createLogger(config.logLevel);
  const db = await connectDatabase(config, log, ownerUrl);
  const platform = await buildPlatform(config, db, log, { serveConsole: false });
  const latencies: number[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { emittedAt: number } };
      latencies.push(arrived - body.data.emittedAt);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  const receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/events`;
  await db.withPlatform(async (tx) => {
    await tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'network.allow_private_addresses', 'true')`, [workspaceId]);
    await tx.query(`insert into event_subscriptions (workspace_id, url, event_types, secret_sealed) values ($1, $2, '{execution.completed}', 'placeholder')`, [workspaceId, receiverUrl]);
  });
  // The subscription's secret must open: seal one for its id.
  await db.withPlatform(async (tx) => {
    const { rows } = await tx.query<{ id: string }>('select id from event_subscriptions where workspace_id = $1', [workspaceId]);
    const key = deriveKey(BENCH_SECRET, 'atrium:webhook-secrets:v1');
    await tx.query('update event_subscriptions set secret_sealed = $2 where id = $1', [rows[0].id, sealSecret(key, { kind: 'subscription', workspaceId, id: rows[0].id }, generateSecret())]);
  });
  platform.jobs.start();
  const RATE = 200;
  const total = RATE * DURATION;
  const started = performance.now();
  const emits: Array<Promise<unknown>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    emits.push(db.withWorkspace(workspaceId, (tx) => platform.webhooks.emit(tx, workspaceId, 'execution.completed', { emittedAt: performance.now(), i })));
  }
  await Promise.all(emits);
  const deadline = Date.now() + 60_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await platform.jobs.stop();
  await platform.close();
  await db.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  const sorted = [...latencies].sort((x, y) => x - y);

  const row = (name: string, r: Result) => `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)}/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  errors ${r.errors + r.non2xx}`;
  console.log(`\nInbound webhooks (verify + deduplicate + commit), ${DURATION}s per run, ${CONNECTIONS} connections at peak`);
  console.log(row('atrium POST /api/v1/hooks/:id peak', results.atriumPeak));
  console.log(row('peer bare fastify+pg peak', results.peerPeak));
  console.log(row('atrium at 3,000/s', results.atriumAt3000));
  console.log(row('peer at 3,000/s', results.peerAt3000));
  console.log(`ratio atrium/peer at peak: ${(results.atriumPeak.rps / results.peerPeak.rps).toFixed(2)}; stored by atrium in the peak run: ${stored.rows[0].n}`);
  console.log(`\nOutbound deliveries at ${RATE} events/s for ${DURATION}s: ${latencies.length}/${total} received`);
  console.log(`event → receiver latency: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
} finally {
  await database.stop();
}
