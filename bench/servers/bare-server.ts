// The peer: a bare Fastify + pg handler, with the same JWT check and the same SQL on the same
// database, and none of Atrium's framework (no session-state check, schema validation,
// problem+json, metrics, request logs, route access checks). Two variants, chosen by argv:
//   same-statements  connects as atrium_app and sends exactly the statements Atrium sends for
//                    the route (prepare once, then begin, bind the workspace, execute, commit in
//                    one message): the ratio measures Atrium's own overhead;
//   unisolated       connects as the owner and runs only the prepared query (no transaction, no
//                    RLS): what isolation itself costs, for reference;
//   pooled           through a transaction-pooling PgBouncer (appUrl points at it): the same
//                    statements without PREPARE (session state), begin … commit sent together.
// argv: port ownerUrl secret appUrl mode
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { createVerifier } from 'fast-jwt';
import { LIST_API_KEYS_SQL, LIST_PARAMS, ME_SQL } from '../lib/sql.ts';
import { serveUntilStopped } from '../lib/serve.ts';

const [port, ownerUrl, secret, appUrl, mode] = process.argv.slice(2);
const isIsolated = mode === 'same-statements';
const isPooled = mode === 'pooled';
const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
// Pooled: pg's pipeline mode (as Atrium's pools), so begin … commit leave in one round trip.
const pool = new pg.Pool({ connectionString: isIsolated || isPooled ? appUrl : ownerUrl, max: 10, ...(isPooled ? { pipeline: true } : {}) } as pg.PoolConfig);
pool.on('error', () => {});
const app = Fastify({ logger: false });
const verify = createVerifier({ key, algorithms: ['HS256'], allowedIss: 'atrium', cache: 10_000 });
const prepared = new WeakMap<object, Set<string>>();

type Claims = { sub: string; ws: string; sid: string };

async function run(name: string, text: string, values: Array<string | number | null>, ws: string): Promise<pg.QueryResultRow[]> {
  if (isPooled) {
    const client = await pool.connect();
    try {
      const sent = [client.query('begin'), client.query("select set_config('app.workspace_id', $1, true)", [ws]), client.query(text, values), client.query('commit')];
      return (await Promise.all(sent))[2].rows;
    } finally {
      client.release();
    }
  }
  if (!isIsolated) return (await pool.query({ name, text, values })).rows;
  const client = await pool.connect();
  try {
    const done = prepared.get(client) ?? new Set<string>();
    const literal = (v: string | number | null) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${v}'`);
    const sql = `${done.has(name) ? '' : `prepare atrium_${name} as ${text};\n`}begin; select set_config('app.workspace_id', '${ws}', true); execute atrium_${name}(${values.map(literal).join(', ')}); commit`;
    const results = (await client.query(sql)) as unknown as pg.QueryResult[];
    done.add(name);
    prepared.set(client, done);
    return results[results.length - 2].rows;
  } finally {
    client.release();
  }
}

app.get('/me', async (request, reply) => {
  let c: Claims;
  try {
    c = verify(request.headers.authorization?.replace(/^Bearer /i, '') ?? '') as Claims;
  } catch {
    return reply.code(401).send({ error: 'unauthenticated' });
  }
  return (await run('identity_me', ME_SQL, [c.sub, c.ws], c.ws))[0];
});

app.get('/list', async (request, reply) => {
  let c: Claims;
  try {
    c = verify(request.headers.authorization?.replace(/^Bearer /i, '') ?? '') as Claims;
  } catch {
    return reply.code(401).send({ error: 'unauthenticated' });
  }
  return { data: await run('identity_list_api_keys', LIST_API_KEYS_SQL, LIST_PARAMS(c.ws) as Array<string | number | null>, c.ws) };
});

await serveUntilStopped(app, port, pool);
