// GraphQL subscriptions over WebSocket (graphql-ws) on a workspace's rows: a committed insert,
// update and delete reach the subscriber with the row as it may see it; a rolled-back mutation
// sends nothing; a filter narrows; row rules hold (another member's owner-only rows never arrive);
// workspace B's subscriber hears nothing of A; a connection without a token, or past the
// workspace's cap, is refused; queries are not served on the socket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { waitUntil } from '../../../test/helpers/wait.ts';

type Event = { data?: Record<string, { op: string; key: string; row: Record<string, unknown> | null }>; errors?: Array<{ message: string; extensions?: { code?: string } }> };

describe('data API: subscriptions', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  const clients: Client[] = [];

  const wsUrl = () => `${platform.baseUrl!.replace(/^http/, 'ws')}/api/v1/data/graphql`;
  function connect(token: string | null): Client {
    const client = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    clients.push(client);
    return client;
  }
  function follow(client: Client, query: string, variables?: Record<string, unknown>): { events: Event[]; done: Promise<unknown>; stop: () => void } {
    const events: Event[] = [];
    let stop = () => {};
    const done = new Promise((resolve) => {
      stop = client.subscribe({ query, variables }, { next: (e) => { events.push(e as Event); }, error: (err) => { events.push({ errors: Array.isArray(err) ? err : [{ message: String((err as { reason?: string }).reason ?? err) }] }); resolve(err); }, complete: () => resolve(null) });
    });
    return { events, done, stop };
  }
  async function gql(token: string, query: string, variables?: Record<string, unknown>) {
    const res = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return res.json() as Promise<{ data?: Record<string, { id: string }> | null; errors?: unknown[] }>;
  }
  async function migrate(token: string, operations: unknown[]) {
    const res = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations }) });
    assert.equal(res.status, 201, await res.text());
  }
  const settle = () => new Promise((r) => setTimeout(r, 300));
  /** Until this process holds exactly `n` live subscriptions on the workspace's table (not a sleep: registration is awaited). */
  const registered = (t: Tenant, table: string, n: number) => waitUntil(`${n} subscription(s) on ${table}`, () => (platform.data.subscriptions.stats().subscribers[`${t.workspaceId}:${table}`] ?? 0) === n);

  before(async () => {
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    a = await createTenant(platform, 'subs-a');
    b = await createTenant(platform, 'subs-b');
    const shape = [
      { op: 'create_table', table: 'tasks', columns: [{ name: 'title', type: 'text', nullable: false }, { name: 'points', type: 'integer', default: 0 }] },
      { op: 'create_table', table: 'notes', columns: [{ name: 'body', type: 'text', nullable: false }, { name: 'owner_id', type: 'uuid' }] },
      { op: 'set_row_rule', table: 'notes', rule: 'owner_only' },
    ];
    await migrate(a.tokens.owner, shape);
    await migrate(b.tokens.owner, shape);
  });
  after(async () => {
    for (const c of clients) await c.dispose();
    await platform.stop();
  });

  test('insert, update and delete reach the subscriber after commit, with the row; a rollback sends nothing; B hears nothing', async () => {
    const sub = follow(connect(a.tokens.member), 'subscription { taskChanged { op key row { title points } } }');
    const other = follow(connect(b.tokens.member), 'subscription { taskChanged { op key row { title } } }');
    await registered(a, 'tasks', 1);
    await registered(b, 'tasks', 1);
    const created = await gql(a.tokens.member, 'mutation { createTask(input: { title: "Live", points: 1 }) { id } }');
    const id = created.data!.createTask.id;
    await waitUntil('the events', () => sub.events.length >= 1);
    assert.deepEqual(sub.events[0].data!.taskChanged, { op: 'INSERT', key: id, row: { title: 'Live', points: 1 } });
    await gql(a.tokens.member, `mutation { updateTask(id: "${id}", patch: { points: 5 }) { id } }`);
    await waitUntil('the events', () => sub.events.length >= 2);
    assert.deepEqual(sub.events[1].data!.taskChanged.row, { title: 'Live', points: 5 });
    // Rolled back: the first insert and the failing second one leave nothing, and say nothing.
    const failed = await gql(a.tokens.member, 'mutation { x: createTask(input: { title: "Ghost" }) { id } y: createTask(input: { title: null }) { id } }');
    assert.ok(failed.errors);
    await gql(a.tokens.member, `mutation { deleteTask(id: "${id}") { id } }`);
    await waitUntil('the events', () => sub.events.length >= 3);
    assert.deepEqual(sub.events[2].data!.taskChanged, { op: 'DELETE', key: id, row: null });
    await settle();
    assert.equal(sub.events.length, 3, 'nothing of the rolled-back mutation');
    assert.equal(other.events.length, 0, 'B\'s subscriber hears nothing of A');
    sub.stop();
    other.stop();
    await registered(a, 'tasks', 0);
  });

  test('a filter narrows the stream, and a row leaving it arrives as a DELETE; ops narrow it further', async () => {
    const big = follow(connect(a.tokens.member), 'subscription { taskChanged(filter: { points: { gte: 10 } }) { op key row { title points } } }');
    const inserts = follow(connect(a.tokens.member), 'subscription { taskChanged(ops: [INSERT]) { op key } }');
    await registered(a, 'tasks', 2);
    const small = await gql(a.tokens.member, 'mutation { createTask(input: { title: "small", points: 1 }) { id } }');
    const large = await gql(a.tokens.member, 'mutation { createTask(input: { title: "large", points: 20 }) { id } }');
    await waitUntil('the events', () => big.events.length >= 1 && inserts.events.length >= 2);
    assert.deepEqual(big.events.map((e) => e.data!.taskChanged.row?.title), ['large']);
    await gql(a.tokens.member, `mutation { updateTask(id: "${large.data!.createTask.id}", patch: { points: 3 }) { id } }`);
    await waitUntil('the events', () => big.events.length >= 2);
    assert.deepEqual(big.events[1].data!.taskChanged, { op: 'DELETE', key: large.data!.createTask.id, row: null });
    await settle();
    assert.deepEqual(inserts.events.map((e) => e.data!.taskChanged.op), ['INSERT', 'INSERT'], 'the update is not an insert');
    assert.ok(small.data);
    big.stop();
    inserts.stop();
  });

  test('row rules hold: another member\'s owner-only rows never arrive', async () => {
    const member = follow(connect(a.tokens.member), 'subscription { noteChanged { op row { body } } }');
    const admin = follow(connect(a.tokens.admin), 'subscription { noteChanged { op row { body } } }');
    await registered(a, 'notes', 2);
    await gql(a.tokens.admin, 'mutation { createNote(input: { body: "admin only" }) { id } }');
    await gql(a.tokens.member, 'mutation { createNote(input: { body: "member only" }) { id } }');
    await waitUntil('the events', () => member.events.length >= 1 && admin.events.length >= 1);
    await settle();
    assert.deepEqual(member.events.map((e) => e.data!.noteChanged.row?.body), ['member only']);
    assert.deepEqual(admin.events.map((e) => e.data!.noteChanged.row?.body), ['admin only']);
    member.stop();
    admin.stop();
  });

  test('tables made in SQL, keyed on several columns: relations both ways (batched), and their changes reach subscribers', async () => {
    const c = await createTenant(platform, 'subs-sql');
    const res = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${c.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql: `
      create table accounts (region text not null, code int not null, name text not null, primary key (region, code));
      create table invoices (id uuid primary key default gen_random_uuid(), region text not null, account_code int not null, total numeric not null default 0,
        foreign key (region, account_code) references accounts (region, code) on delete cascade);` }) });
    assert.equal(res.status, 201, await res.text());
    const accounts = follow(connect(c.tokens.member), 'subscription { accountChanged { op key row { name } } }');
    const invoices = follow(connect(c.tokens.member), 'subscription { invoiceChanged { op row { total } } }');
    await registered(c, 'accounts', 1);
    await registered(c, 'invoices', 1);
    const made = await gql(c.tokens.member, `mutation {
      a: createAccounts(inputs: [{ region: "eu", code: 7, name: "Acme" }, { region: "us", code: 7, name: "Acme US" }]) { name }
      b: createInvoices(inputs: [{ region: "eu", accountCode: 7, total: "10.50" }, { region: "eu", accountCode: 7, total: "3" }, { region: "us", accountCode: 7, total: "99" }]) { id }
    }`);
    assert.equal(made.errors, undefined, JSON.stringify(made.errors));
    const read = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${c.tokens.member}`, 'content-type': 'application/json' }, body: JSON.stringify({
      query: '{ accounts(orderBy: [REGION_ASC]) { nodes { name invoices(orderBy: [TOTAL_ASC]) { total account { name } } } } }' }) });
    const body = await read.json() as { data: { accounts: { nodes: Array<{ name: string; invoices: Array<{ total: string; account: { name: string } }> }> } }; extensions: { statements: number } };
    assert.deepEqual(body.data.accounts.nodes, [
      { name: 'Acme', invoices: [{ total: '3', account: { name: 'Acme' } }, { total: '10.50', account: { name: 'Acme' } }] },
      { name: 'Acme US', invoices: [{ total: '99', account: { name: 'Acme US' } }] },
    ]);
    assert.equal(body.extensions.statements, 3, 'one statement per level, keys of two columns batched');
    await waitUntil('the events', () => accounts.events.length >= 2 && invoices.events.length >= 3);
    assert.deepEqual(accounts.events.map((e) => e.data!.accountChanged.key).sort(), ['["eu", "7"]', '["us", "7"]']);
    await gql(c.tokens.member, 'mutation { updateAccount(region: "eu", code: 7, patch: { name: "Acme EU" }) { name } }');
    await waitUntil('the update', () => accounts.events.length >= 3);
    assert.deepEqual(accounts.events[2].data!.accountChanged, { op: 'UPDATE', key: '["eu", "7"]', row: { name: 'Acme EU' } });
    await gql(c.tokens.member, 'mutation { deleteAccount(region: "us", code: 7) { name } }');
    await waitUntil('the delete', () => accounts.events.length >= 4 && invoices.events.length >= 4);
    assert.deepEqual(accounts.events[3].data!.accountChanged, { op: 'DELETE', key: '["us", "7"]', row: null });
    assert.equal(invoices.events[3].data!.invoiceChanged.op, 'DELETE', 'the cascade is a change too');
    accounts.stop();
    invoices.stop();
  });

  test('a workspace holds at most 100 connections per process; the 101st is closed with 4429, others are unaffected', async () => {
    for (const c of clients.splice(0)) await c.dispose();
    await waitUntil('earlier connections to close', () => platform.data.subscriptions.stats().connections === 0);
    const sockets: WebSocket[] = [];
    const open = (token: string) => new Promise<{ ws: WebSocket; code: number | null }>((resolve) => {
      const ws = new WebSocket(wsUrl(), 'graphql-transport-ws');
      sockets.push(ws);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      ws.on('message', (m) => { if (JSON.parse(String(m)).type === 'connection_ack') resolve({ ws, code: null }); });
      ws.on('close', (code) => resolve({ ws, code }));
    });
    try {
      const first = await Promise.all(Array.from({ length: 100 }, () => open(b.tokens.viewer)));
      assert.deepEqual(first.filter((c) => c.code !== null).map((c) => c.code), [], 'the first 100 are acknowledged');
      assert.equal((await open(b.tokens.viewer)).code, 4429);
      assert.equal((await open(a.tokens.viewer)).code, null, 'another workspace is not capped by B');
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });

  test('no token, a bad token, a query on the socket, an unknown field: refused with a reason', async () => {
    const anonymous = follow(connect(null), 'subscription { taskChanged { op } }');
    await anonymous.done;
    assert.match(anonymous.events[0].errors![0].message, /Forbidden|4403/);
    const forged = follow(connect('not-a-token'), 'subscription { taskChanged { op } }');
    await forged.done;
    assert.ok(forged.events[0].errors);
    const query = follow(connect(a.tokens.member), '{ tasks { totalCount } }');
    await query.done;
    assert.equal(query.events[0].errors![0].extensions?.code, 'SUBSCRIPTIONS_ONLY');
    const unknown = follow(connect(a.tokens.member), 'subscription { userChanged { op } }');
    await unknown.done;
    assert.equal(unknown.events[0].errors![0].extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });
});
