// The peer for data-API subscriptions: a bare `ws` server with one LISTEN connection that, on each
// change signal, reads the rows once (the same statement, as the workspace's data role) and writes
// them to every socket — no GraphQL, no graphql-ws protocol, no per-subscriber rights or filters.
// argv: port appUrl workspaceId
import { createServer } from 'node:http';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { dataSwitchStatement } from '../../src/kernel/db/database.ts';

const [port, appUrl, workspaceId] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: appUrl, max: 4 });
pool.on('error', () => {});
const listener = new pg.Client({ connectionString: appUrl });
await listener.connect();
const server = createServer();
const wss = new WebSocketServer({ server });
listener.on('notification', async (msg) => {
  const notice = JSON.parse(msg.payload ?? '{}') as { t: string; o: string; k: string[] };
  if (notice.t !== 'tasks' || notice.o === 'd') return;
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query("select set_config('app.workspace_id', $1, true)", [workspaceId]);
    await client.query(dataSwitchStatement(workspaceId, { userId: null, roles: ['member'], statementTimeoutMs: 5000 }));
    const { rows } = await client.query(`select t."id", t."title", t."points" from "tasks" t where t."id" = any($1::uuid[])`, [notice.k]);
    await client.query('commit');
    for (const row of rows) {
      const text = JSON.stringify({ op: notice.o === 'i' ? 'INSERT' : 'UPDATE', key: row.id, row: { title: row.title, points: row.points } });
      for (const ws of wss.clients) ws.send(text);
    }
  } finally {
    client.release();
  }
});
await listener.query('listen atrium_data_changes');
server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', async () => {
  for (const ws of wss.clients) ws.terminate();
  server.close();
  await listener.end();
  await pool.end();
  process.exit(0);
});
