// The peer's API for bench/tenant-create.ts: a bare Fastify + pg handler that looks the key up and
// answers from the tenant's schema, no more. argv: port ownerUrl
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { serveUntilStopped } from '../lib/serve.ts';

const [port, ownerUrl] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: ownerUrl, max: 4 });
pool.on('error', () => {});
const app = Fastify({ logger: false });
app.post('/graphql', async (request, reply) => {
  const key = request.headers.authorization?.replace(/^Bearer /i, '') ?? '';
  const { rows } = await pool.query('select schema from bare_keys where hash = $1', [createHash('sha256').update(key).digest('hex')]);
  if (!rows.length) return reply.code(401).send({ error: 'unknown key' });
  return { data: { _empty: null } };
});
await serveUntilStopped(app, port, pool);
