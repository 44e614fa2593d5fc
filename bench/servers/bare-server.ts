// The peer: a bare Fastify + pg handler running the same SQL on the same database, with the
// same JWT check, but none of Atrium: no session-state check, no schema validation, no RLS
// binding or transaction (it connects as the owner), no problem+json, metrics or request logs. argv: port ownerUrl secret
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { jwtVerify } from 'jose';
import { LIST_SQL, ME_SQL } from '../lib/sql.ts';

const [port, ownerUrl, secret] = process.argv.slice(2);
const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
const pool = new pg.Pool({ connectionString: ownerUrl, max: 10 });
pool.on('error', () => {});
const app = Fastify({ logger: false });

async function claims(header: string | undefined) {
  const token = header?.replace(/^Bearer /i, '') ?? '';
  const { payload } = await jwtVerify(token, key, { issuer: 'atrium', algorithms: ['HS256'] });
  return payload as { sub: string; ws: string; sid: string };
}

app.get('/me', async (request, reply) => {
  const c = await claims(request.headers.authorization).catch(() => null);
  if (!c) return reply.code(401).send({ error: 'unauthenticated' });
  const results = [];
  for (const sql of ME_SQL) results.push((await pool.query(sql, [c.sub, c.ws])).rows);
  return results;
});

app.get('/list', async (request, reply) => {
  const c = await claims(request.headers.authorization).catch(() => null);
  if (!c) return reply.code(401).send({ error: 'unauthenticated' });
  const { rows } = await pool.query(LIST_SQL, [c.ws]);
  return { data: rows };
});

await app.listen({ port: Number(port), host: '127.0.0.1' });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
