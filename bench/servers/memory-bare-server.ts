// The peer for memory recall: a bare Fastify + pg handler that checks the same JWT and sends the
// same statement Atrium sends for GET /agents/:id/recall (as atrium_app, in a transaction bound
// to the workspace: the recall statement of the memory module), with none of Atrium's
// framework. argv: port secret appUrl
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { createVerifier } from 'fast-jwt';
import { RECALL_SQL as RECALL } from '../../src/modules/memory/memory.store.ts';
import { serveUntilStopped } from '../lib/serve.ts';

const [port, secret, appUrl] = process.argv.slice(2);
const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
const pool = new pg.Pool({ connectionString: appUrl, max: 10 });
pool.on('error', () => {});
const app = Fastify({ logger: false });
const verify = createVerifier({ key, algorithms: ['HS256'], allowedIss: 'atrium', cache: 10_000 });

app.get<{ Params: { id: string }; Querystring: { query: string; limit?: string; tags?: string } }>('/agents/:id/recall', async (request, reply) => {
  let ws: string;
  try {
    ws = (verify(request.headers.authorization?.replace(/^Bearer /i, '') ?? '') as { ws: string }).ws;
  } catch {
    return reply.code(401).send({ error: 'unauthenticated' });
  }
  const client = await pool.connect();
  try {
    const tags = request.query.tags ? request.query.tags.split(',') : [];
    const sent = [
      client.query('begin'), client.query("select set_config('app.workspace_id', $1, true)", [ws]),
      client.query({ name: 'recall', text: RECALL, values: [ws, request.query.query, tags, request.params.id, Number(request.query.limit ?? 5)] }), client.query('commit'),
    ];
    const results = await Promise.all(sent);
    return { data: results[2].rows };
  } finally {
    client.release();
  }
});

await serveUntilStopped(app, port, pool);
