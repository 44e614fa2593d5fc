// `npm run bench:data-subscriptions`: commit → subscriber latency of the data API's GraphQL
// subscriptions with BENCH_SUBSCRIBERS (default 1,000) subscribers on one API process (20 graphql-ws
// connections × 50 subscriptions, one workspace, one user: the group read once per change), against
// a bare `ws` + LISTEN server that reads the rows once and writes them to as many raw sockets
// (bench/servers/subscriptions-bare-server.ts), same run. A change is a createTask mutation every
// BENCH_INTERVAL_MS (default 100) for BENCH_DURATION s; latency = receipt − the mutation's answer
// (the commit), and receipt − the mutation's start (an upper bound). Issue 14's target: p95 ≤ 100 ms.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { pct, startProcess as start, stopProcess as stop } from './lib/processes.ts';
import { startSeedPlatform, BENCH_SECRET } from './lib/database.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { createTenant } from '../test/helpers/tenants.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const PER_CONNECTION = 50;
const INTERVAL = Number(process.env.BENCH_INTERVAL_MS ?? 100);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const PORT = 3874;
process.env.ATRIUM_BENCH_PG_PORT ??= '54371';
const f = (v: number) => `${v.toFixed(1)} ms`;

const { database, db, seedPlatform } = await startSeedPlatform();
const t = await createTenant(seedPlatform, 'bench-subs');
await db.withPlatform((tx) => tx.query(`update workspaces set plan = 'enterprise' where id = $1`, [t.workspaceId]));
const made = await seedPlatform.app.inject({ method: 'POST', url: '/api/v1/data/migrations', headers: { authorization: `Bearer ${t.tokens.owner}` }, payload: { operations: [
  { op: 'create_table', table: 'tasks', columns: [{ name: 'title', type: 'text', nullable: false }, { name: 'points', type: 'integer', default: 0 }] },
] } });
if (made.statusCode !== 201) throw new Error(made.body);
await seedPlatform.close();

type Run = { commit: number[]; sent: number[]; expected: number; received: number };

/** Mutations at a fixed interval; each resolves its answer time; `onReceive` matches titles. */
async function drive(mutationUrl: string, receipts: Map<string, number[]>): Promise<Array<{ title: string; sentAt: number; answeredAt: number }>> {
  const changes: Array<{ title: string; sentAt: number; answeredAt: number }> = [];
  const end = performance.now() + DURATION * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const title = `change ${i}`;
    receipts.set(title, []);
    const sentAt = performance.now();
    const res = await fetch(mutationUrl, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.member}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation { createTask(input: { title: "${title}", points: ${i} }) { id } }` }) });
    await res.json();
    changes.push({ title, sentAt, answeredAt: performance.now() });
    const wait = sentAt + INTERVAL - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await new Promise((r) => setTimeout(r, 2000));
  return changes;
}

function collect(changes: Array<{ title: string; sentAt: number; answeredAt: number }>, receipts: Map<string, number[]>): Run {
  const commit: number[] = [];
  const sent: number[] = [];
  let received = 0;
  for (const c of changes) {
    for (const at of receipts.get(c.title) ?? []) {
      commit.push(Math.max(0, at - c.answeredAt));
      sent.push(at - c.sentAt);
      received++;
    }
  }
  return { commit, sent, expected: changes.length * SUBSCRIBERS, received };
}

// Atrium: graphql-ws connections, 50 subscriptions each.
const atrium = await start('atrium-server.ts', [String(PORT), database.ownerUrl]);
const receiptsA = new Map<string, number[]>();
const clients = Array.from({ length: Math.ceil(SUBSCRIBERS / PER_CONNECTION) }, () => createClient({ url: `ws://127.0.0.1:${PORT}/api/v1/data/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${t.tokens.member}` }, retryAttempts: 0 }));
let subscribed = 0;
for (let i = 0; i < SUBSCRIBERS; i++) {
  const client = clients[Math.floor(i / PER_CONNECTION)];
  client.subscribe({ query: 'subscription { taskChanged(ops: [INSERT]) { op key row { title points } } }' }, {
    next: (e) => {
      const title = (e.data as { taskChanged: { row: { title: string } | null } }).taskChanged.row?.title;
      if (title) receiptsA.get(title)?.push(performance.now());
    },
    error: (err) => { console.error('subscription error', err); },
    complete: () => {},
  });
  subscribed++;
}
await new Promise((r) => setTimeout(r, 3000));
const atriumRun = collect(await drive(`http://127.0.0.1:${PORT}/api/v1/data/graphql`, receiptsA), receiptsA);
for (const c of clients) await c.dispose();
await stop(atrium.child);

// The bare peer: raw sockets; mutations still go through Atrium (the same commits and triggers).
const appUrl = deriveAppUrl(database.ownerUrl, deriveAppPassword(BENCH_SECRET));
const PEER_PORT = PORT + 1;
const atrium2 = await start('atrium-server.ts', [String(PORT), database.ownerUrl]);
const bare = await start('subscriptions-bare-server.ts', [String(PEER_PORT), appUrl, t.workspaceId]);
const receiptsB = new Map<string, number[]>();
const sockets = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => new Promise<WebSocket>((resolve) => {
  const ws = new WebSocket(`ws://127.0.0.1:${PEER_PORT}`);
  ws.on('message', (m) => {
    const title = (JSON.parse(String(m)) as { row: { title: string } }).row.title;
    receiptsB.get(title)?.push(performance.now());
  });
  ws.on('open', () => resolve(ws));
})));
await new Promise((r) => setTimeout(r, 1000));
const bareRun = collect(await drive(`http://127.0.0.1:${PORT}/api/v1/data/graphql`, receiptsB), receiptsB);
for (const ws of sockets) ws.terminate();
await stop(bare.child);
await stop(atrium2.child);

console.log(`\nSubscriptions: ${SUBSCRIBERS.toLocaleString('en-US')} subscribers (Atrium: ${clients.length} connections × ${PER_CONNECTION}), a committed insert every ${INTERVAL} ms for ${DURATION} s`);
console.table({
  'delivered / expected': { atrium: `${atriumRun.received.toLocaleString('en-US')} / ${atriumRun.expected.toLocaleString('en-US')}`, bare: `${bareRun.received.toLocaleString('en-US')} / ${bareRun.expected.toLocaleString('en-US')}` },
  'commit → client p50': { atrium: f(pct(atriumRun.commit, 0.5)), bare: f(pct(bareRun.commit, 0.5)) },
  'commit → client p95': { atrium: f(pct(atriumRun.commit, 0.95)), bare: f(pct(bareRun.commit, 0.95)), target: '≤ 100 ms' },
  'commit → client p99': { atrium: f(pct(atriumRun.commit, 0.99)), bare: f(pct(bareRun.commit, 0.99)) },
  'mutation sent → client p95': { atrium: f(pct(atriumRun.sent, 0.95)), bare: f(pct(bareRun.sent, 0.95)) },
});
console.log(`subscriptions opened: ${subscribed}`);
await db.close();
await database.stop();
