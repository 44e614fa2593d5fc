// The inbound-webhook peer: a bare Fastify + pg handler doing the same work as Atrium's
// POST /api/v1/hooks/:id — raw body, Standard Webhooks verification (same library, endpoint
// secret known in memory as Atrium's cache holds it), then in one tenant transaction as
// atrium_app `insert … on conflict do nothing` into webhook_inbound_deliveries (and the stored
// answer for a duplicate). None of Atrium's framework (request ids, problem+json, metrics,
// access hooks, header filtering). argv: port appUrl workspaceId endpointId secret
import Fastify from 'fastify';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { serveUntilStopped } from '../lib/serve.ts';

const [port, appUrl, workspaceId, endpointId, secret] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: appUrl, max: 10 });
pool.on('error', () => {});
const webhook = new Webhook(secret);
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

app.post<{ Params: { id: string }; Body: string }>('/hooks/:id', async (request, reply) => {
  if (request.params.id !== endpointId) return reply.code(404).send({ code: 'NOT_FOUND' });
  const h = request.headers as Record<string, string>;
  try {
    webhook.verify(request.body, h, { jsonParse: false });
  } catch {
    return reply.code(401).send({ code: 'BAD_SIGNATURE' });
  }
  const id = randomUUID();
  const answer = { deliveryId: id, executionId: null, status: 'accepted' };
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query("select set_config('app.workspace_id', $1, true)", [workspaceId]);
    const inserted = await client.query({
      name: 'insert_inbound',
      text: `insert into webhook_inbound_deliveries (workspace_id, id, endpoint_id, webhook_id, webhook_timestamp, headers, content_type, body, outcome, response_status, response_body)
             values ($1, $2, $3, $4, to_timestamp($5), $6, $7, $8, 'accepted', 202, $9) on conflict (workspace_id, endpoint_id, webhook_id) do nothing`,
      values: [workspaceId, id, endpointId, h['webhook-id'], Number(h['webhook-timestamp']), { 'content-type': h['content-type'] }, h['content-type'], request.body, JSON.stringify(answer)],
    });
    let body: unknown = answer;
    if (inserted.rowCount === 0) {
      const stored = await client.query('select response_body from webhook_inbound_deliveries where workspace_id = $1 and endpoint_id = $2 and webhook_id = $3', [workspaceId, endpointId, h['webhook-id']]);
      body = stored.rows[0].response_body;
    }
    await client.query('commit');
    return reply.code(202).send(body);
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
});

await serveUntilStopped(app, port, pool);
