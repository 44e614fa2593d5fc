// The peer: a bare Fastify + pg handler running the same SQL on the same database, with the
// same JWT check, but none of Atrium: no session-state check, no schema validation, no RLS
// binding or transaction (it connects as the owner), no problem+json, metrics or request logs. argv: port ownerUrl secret
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { createVerifier } from 'fast-jwt';
import { LIST_API_KEYS_SQL, LIST_PARAMS, ME_SQL } from '../lib/sql.ts';

const [port, ownerUrl, secret] = process.argv.slice(2);
const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
const pool = new pg.Pool({ connectionString: ownerUrl, max: 10 });
pool.on('error', () => {});
const app = Fastify({ logger: false });

const verify = createVerifier({ key, algorithms: ['HS256'], allowedIss: 'atrium', cache: 10_000 });

async function claims(header: string | undefined) {
  const token = header?.replace(/^Bearer /i, '') ?? '';
  return verify(token) as { sub: string; ws: string; sid: string };
}

app.get('/me', async (request, reply) => {
  const c = await claims(request.headers.authorization).catch(() => null);
  if (!c) return reply.code(401).send({ error: 'unauthenticated' });
  if (process.env.BARE_TX) {
    const client = await pool.connect();
    try {
      await client.query(`begin; select set_config('app.workspace_id', '${c.ws}', true)`);
      const { rows } = await client.query(ME_SQL, [c.sub, c.ws]);
      await client.query('commit');
      return rows[0];
    } finally { client.release(); }
  }
  const { rows } = await pool.query(ME_SQL, [c.sub, c.ws]);
  return rows[0];
});

app.get('/list', async (request, reply) => {
  const c = await claims(request.headers.authorization).catch(() => null);
  if (!c) return reply.code(401).send({ error: 'unauthenticated' });
  const { rows } = await pool.query(LIST_API_KEYS_SQL, LIST_PARAMS(c.ws));
  return { data: rows };
});

await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
