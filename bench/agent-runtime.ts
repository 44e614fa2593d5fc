// `npm run bench:agent-runtime`: the agent runtime's own cost per turn at 100 concurrent chats
// (issue 13's target: p99 ≤ 15 ms, everything but the model's time). Each turn is
// `POST /agents/:id/chat` (JSON) on a published agent that recalls memories into its context, one
// streamed model call to the fake provider (in its own process), the thread, run record, logs,
// metering and the quota/budget check. The model's time is measured by the fake itself, per
// request (matched by a nonce in the message), and subtracted from each turn's end-to-end time.
// The peer, same run: a bare Fastify + pg handler that checks the same JWT, reads three memories
// in a tenant transaction, calls the same fake model and stores the exchange
// (bench/servers/agent-chat-bare-server.ts).
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { pct, startProcess as start, stopProcess as stop } from './lib/processes.ts';
import { benchPostmasterPid, startSeedPlatform, statementStats, BENCH_SECRET } from './lib/database.ts';
import { withCpu } from './lib/cpu.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { createTenant } from '../test/helpers/tenants.ts';

const TURNS = Number(process.env.BENCH_TURNS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const PORT = 3875;
const BARE_PORT = 3876;
const KEY = 'sk-bench-agent-runtime';
// How long the fake model thinks before answering: chats at 100 concurrent are 100 in flight, as long as a model takes.
const MODEL_MS = Number(process.env.BENCH_MODEL_MS ?? 1000);
// Each chat's user reads and types between turns (uniform 0 to THINK_MS): 100 chats do not all send in the same millisecond.
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);
process.env.ATRIUM_BENCH_PG_PORT ??= '54369';
const ms = (v: number) => `${v.toFixed(1)} ms`;

const { database, db, seedPlatform } = await startSeedPlatform();
const fake = await start('fake-llm-server.ts', [KEY]);
const upstream = `${String(fake.message)}/openai/v1`;
const t = await createTenant(seedPlatform, 'bench-agent-runtime');
await db.withPlatform((tx) => tx.query(`update workspaces set plan = 'enterprise' where id = $1`, [t.workspaceId]));
const h = { authorization: `Bearer ${t.tokens.owner}` };
let agentId = '';
for (const [method, url, payload] of [
  ['PUT', '/api/v1/secrets/UPSTREAM', { value: KEY }],
  ['PATCH', '/api/v1/workspaces/current', { settings: { 'network.allow_private_addresses': true } }],
  ['POST', '/api/v1/llm/providers', { name: 'up', kind: 'openai_compatible', baseUrl: upstream, secretName: 'UPSTREAM' }],
  ['POST', '/api/v1/agents', { name: 'Helper', config: { model: `up/gpt-4o-mini-delay${MODEL_MS}`, systemPrompt: 'You help Acme, briefly.', memory: { mode: 'recall', topK: 3, tags: [] } } }],
  ['POST', '/api/v1/agents/:id/publish', {}],
  ['POST', '/api/v1/agents/:id/remember', { text: 'Acme wants its invoices in euros, on the first Monday of the month.' }],
  ['POST', '/api/v1/agents/:id/remember', { text: 'Acme support hours are 9:00 to 17:00 Paris time.' }],
  ['POST', '/api/v1/agents/:id/remember', { text: 'The Acme contact for invoices is Ada in accounting.' }],
] as const) {
  const res = await seedPlatform.app.inject({ method, url: url.replace(':id', agentId), headers: h, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  if (url === '/api/v1/agents') agentId = (res.json() as { id: string }).id;
}
await seedPlatform.close();

async function timingsOf(child: ChildProcess): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { timings: Record<string, number> }).timings));
    child.send('timings');
  });
}

/** TURNS chats, CONCURRENCY at a time; each one's end-to-end time by nonce. */
async function chat(url: string, prefix: string, turns: number): Promise<{ e2e: Map<string, number>; errors: number; seconds: number; requests: number }> {
  const e2e = new Map<string, number>();
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
    while (next < turns) {
      const nonce = `${prefix}-${next++}`;
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ message: `How does Acme want its invoices? [n:${nonce}]` }) });
      const body = await res.json() as { status?: string };
      if (res.status !== 200 || body.status !== 'completed') errors++;
      else e2e.set(nonce, performance.now() - started);
      await new Promise((r) => setTimeout(r, Math.random() * THINK_MS));
    }
  }));
  return { e2e, errors, seconds: (performance.now() - t0) / 1000, requests: e2e.size + errors };
}

const atrium = await start('atrium-server.ts', [String(PORT), database.ownerUrl]);
const appUrl = deriveAppUrl(database.ownerUrl, deriveAppPassword(BENCH_SECRET));
const bare = await start('agent-chat-bare-server.ts', [String(BARE_PORT), BENCH_SECRET, appUrl, database.ownerUrl, upstream, KEY, `gpt-4o-mini-delay${MODEL_MS}`]);
const atriumUrl = `http://127.0.0.1:${PORT}/api/v1/agents/${agentId}/chat`;
const bareUrl = `http://127.0.0.1:${BARE_PORT}/agents/${agentId}/chat`;
await chat(atriumUrl, 'warm-a', 200);
await chat(bareUrl, 'warm-b', 200);
// CPU per turn of each server and of PostgreSQL (what a turn costs the machine; steadier than latency on shared cores).
const pgPid = benchPostmasterPid();
await statementStats(database.ownerUrl, { reset: true });
const a = await withCpu({ server: atrium.child.pid!, postgres: pgPid }, () => chat(atriumUrl, 'a', TURNS));
await statementStats(database.ownerUrl, { per: TURNS });
const b = await withCpu({ server: bare.child.pid!, postgres: pgPid }, () => chat(bareUrl, 'b', TURNS));
const timings = await timingsOf(fake.child);
await stop(atrium.child);
await stop(bare.child);
await stop(fake.child);
await db.close();
await database.stop();

const overheads = (run: typeof a) => [...run.e2e].filter(([nonce]) => timings[nonce] !== undefined).map(([nonce, total]) => total - timings[nonce]);
const oa = overheads(a);
const ob = overheads(b);
const model = [...a.e2e.keys()].map((n) => timings[n]).filter((v) => v !== undefined);
console.log(`\nAgent runtime: ${CONCURRENCY} chats of ${TURNS / CONCURRENCY} turns, ${CONCURRENCY} at a time (0–${THINK_MS} ms between a chat's turns), the model thinking ${MODEL_MS} ms (memory recall, one streamed model call, records); the model's own time subtracted per turn`);
console.table({
  'overhead p50': { atrium: ms(pct(oa, 0.5)), bare: ms(pct(ob, 0.5)), ratio: (pct(oa, 0.5) / pct(ob, 0.5)).toFixed(2) },
  'overhead p95': { atrium: ms(pct(oa, 0.95)), bare: ms(pct(ob, 0.95)), ratio: (pct(oa, 0.95) / pct(ob, 0.95)).toFixed(2) },
  'overhead p99': { atrium: ms(pct(oa, 0.99)), bare: ms(pct(ob, 0.99)), ratio: (pct(oa, 0.99) / pct(ob, 0.99)).toFixed(2) },
  'throughput (turns/s)': { atrium: Math.round(a.e2e.size / a.seconds), bare: Math.round(b.e2e.size / b.seconds), ratio: ((a.e2e.size / a.seconds) / (b.e2e.size / b.seconds)).toFixed(2) },
});
console.log(`CPU ms per turn: atrium ${a.cpuMsPerRequest.server.toFixed(2)} + PostgreSQL ${a.cpuMsPerRequest.postgres.toFixed(2)}; bare ${b.cpuMsPerRequest.server.toFixed(2)} + PostgreSQL ${b.cpuMsPerRequest.postgres.toFixed(2)}`);
console.log(`the fake model's own time per turn (Atrium's turns): p50 ${ms(pct(model, 0.5))}, p99 ${ms(pct(model, 0.99))}; matched turns: atrium ${oa.length}/${TURNS}, bare ${ob.length}/${TURNS}; errors: atrium ${a.errors}, bare ${b.errors}`);
