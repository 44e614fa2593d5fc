// The agent-webhook peer: the least a "webhook in, model answer out" service costs. A bare
// Fastify + pg handler: raw body, Standard Webhooks verification (same library), the delivery
// claimed in one transaction (`insert … on conflict do nothing` into a table of its own), then
// the model called directly (undici fetch, same fake upstream, same messages as Atrium's agent
// sends) and its answer returned. No run record, thread, log, metering, quota, job or waiter.
// argv: port ownerUrl upstreamUrl upstreamKey secret
import Fastify from 'fastify';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { serveUntilStopped } from '../lib/serve.ts';

const [port, ownerUrl, upstream, key, secret] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: ownerUrl, max: 10 });
pool.on('error', () => {});
await pool.query('create table if not exists bench_agent_deliveries (webhook_id text primary key, answer text)');
const webhook = new Webhook(secret);
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

app.post<{ Body: string }>('/agents/:id/webhook', async (request, reply) => {
  const h = request.headers as Record<string, string>;
  try {
    webhook.verify(request.body, h, { jsonParse: false });
  } catch {
    return reply.code(401).send({ code: 'BAD_SIGNATURE' });
  }
  const claimed = await pool.query('insert into bench_agent_deliveries (webhook_id) values ($1) on conflict do nothing', [h['webhook-id']]);
  if (claimed.rowCount === 0) return reply.code(409).send({ code: 'DUPLICATE' });
  const message = `A webhook delivery arrived (webhook-id ${h['webhook-id']}). Its payload:\n\n${JSON.stringify(JSON.parse(request.body), null, 2)}`;
  const res = await fetch(`${upstream}/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You triage incoming events.' }, { role: 'user', content: message }] }),
  });
  const answer = await res.json() as { choices: Array<{ message: { content: string } }> };
  const text = answer.choices[0].message.content;
  await pool.query('update bench_agent_deliveries set answer = $2 where webhook_id = $1', [h['webhook-id'], text]);
  return { status: 'completed', message: text };
});

await serveUntilStopped(app, port, pool);
