// The agent-runtime peer: the least a "chat turn with memory" service costs. A bare Fastify + pg
// handler: the same JWT checked, one transaction bound to the workspace (as atrium_app) that
// reads the agent's three newest memories, then the model called directly (same fake upstream),
// then one insert of the exchange into a table of its own. No versions, thread history, run
// record, log, metering, quota, budget or tools. argv: port secret appUrl ownerUrl upstreamUrl upstreamKey model
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { createVerifier } from 'fast-jwt';

const [port, secret, appUrl, ownerUrl, upstream, key, model] = process.argv.slice(2);
const key256 = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
const pool = new pg.Pool({ connectionString: appUrl, max: 10 });
pool.on('error', () => {});
const owner = new pg.Pool({ connectionString: ownerUrl, max: 10 });
owner.on('error', () => {});
await owner.query('create table if not exists bench_chat_turns (id bigserial primary key, agent_id uuid, message text, answer text)');
const verify = createVerifier({ key: key256, algorithms: ['HS256'], allowedIss: 'atrium', cache: 10_000 });
const app = Fastify({ logger: false });

app.post<{ Params: { id: string }; Body: { message: string } }>('/agents/:id/chat', async (request, reply) => {
  let ws: string;
  try {
    ws = (verify(request.headers.authorization?.replace(/^Bearer /i, '') ?? '') as { ws: string }).ws;
  } catch {
    return reply.code(401).send({ error: 'unauthenticated' });
  }
  const client = await pool.connect();
  let memories: string[];
  try {
    await client.query('begin');
    await client.query("select set_config('app.workspace_id', $1, true)", [ws]);
    memories = (await client.query<{ text: string }>('select text from memories where workspace_id = $1 and (agent_id = $2 or agent_id is null) order by id desc limit 3', [ws, request.params.id])).rows.map((r) => r.text);
    await client.query('commit');
  } finally {
    client.release();
  }
  const res = await fetch(`${upstream}/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'system', content: `You help Acme.\n${memories.join('\n')}` }, { role: 'user', content: request.body.message }] }),
  });
  const text = await res.text();
  const answer = [...text.matchAll(/"content":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
  await owner.query('insert into bench_chat_turns (agent_id, message, answer) values ($1, $2, $3)', [request.params.id, request.body.message, answer]);
  return { status: 'completed', message: answer };
});

await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  await owner.end();
  process.exit(0);
});
