// The peer for the data API: a bare Fastify + pg handler that checks the same JWT and sends the
// same statements Atrium's GraphQL sends for the bench's queries, in the same kind of transaction
// (bound to the workspace, switched to its data role and schema), with none of GraphQL: no parse,
// no validation, no limits, no resolvers. argv: port secret appUrl
import { createHmac } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { createVerifier } from 'fast-jwt';
import { dataSwitchStatement } from '../../src/kernel/db/database.ts';
import { serveUntilStopped } from '../lib/serve.ts';

const [port, secret, appUrl] = process.argv.slice(2);
const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
const pool = new pg.Pool({ connectionString: appUrl, max: 10 });
pool.on('error', () => {});
const app = Fastify({ logger: false });
const verify = createVerifier({ key, algorithms: ['HS256'], allowedIss: 'atrium', cache: 10_000 });

const TASK = `t."id", t."title", t."status", t."points", (to_json(t."created_at") #>> '{}') as "created_at", t."project_id"`;
const LIST = `select ${TASK} from "tasks" t where true order by t."id" asc nulls last limit 21 offset 0`;
const BY_ID = `select ${TASK} from "tasks" t where t."id" = $1::uuid`;
const PROJECTS = `select t."id", t."name" from "projects" t where true order by t."id" asc nulls last limit 11 offset 0`;
const TASKS_OF = `select * from (select ${TASK}, row_number() over (partition by t."project_id" order by t."id" asc nulls last) as "__n" from "tasks" t where t."project_id" = any($1::uuid[]) and true) s where s."__n" > 0 and s."__n" <= 5 order by s."__n"`;
const COMMENTS_OF = `select * from (select t."id", t."body", t."task_id", row_number() over (partition by t."task_id" order by t."id" asc nulls last) as "__n" from "comments" t where t."task_id" = any($1::uuid[]) and true) s where s."__n" > 0 and s."__n" <= 3 order by s."__n"`;

async function inSchema<T>(authorization: string | undefined, fn: (client: pg.PoolClient) => Promise<T>): Promise<T | null> {
  let claims: { ws: string; sub: string };
  try {
    claims = verify(authorization?.replace(/^Bearer /i, '') ?? '') as { ws: string; sub: string };
  } catch {
    return null;
  }
  const client = await pool.connect();
  try {
    const opening = [client.query('begin'), client.query("select set_config('app.workspace_id', $1, true)", [claims.ws]), client.query(dataSwitchStatement(claims.ws, { userId: claims.sub, roles: ['member'], statementTimeoutMs: 5000 }))];
    const [result] = await Promise.all([fn(client), ...opening]);
    await client.query('commit');
    return result as T;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const camel = (r: Record<string, unknown>) => ({ id: r.id, title: r.title, status: r.status, points: r.points, createdAt: r.created_at });

app.post<{ Body: { query: string; variables?: { id?: string } } }>('/data/graphql', async (request, reply) => {
  const q = request.body.query;
  const out = await inSchema(request.headers.authorization, async (client) => {
    if (q.includes('taskById')) {
      const { rows } = await client.query({ name: 'by_id', text: BY_ID, values: [request.body.variables?.id] });
      return { data: { taskById: rows[0] ? camel(rows[0]) : null } };
    }
    if (q.includes('projects')) {
      const projects = (await client.query({ name: 'projects', text: PROJECTS })).rows.slice(0, 10);
      const tasks = (await client.query({ name: 'tasks_of', text: TASKS_OF, values: [projects.map((p) => p.id)] })).rows;
      const comments = (await client.query({ name: 'comments_of', text: COMMENTS_OF, values: [tasks.map((t) => t.id)] })).rows;
      return {
        data: { projects: { nodes: projects.map((p) => ({ name: p.name, tasks: tasks.filter((t) => t.project_id === p.id).map((t) => ({ title: t.title, comments: comments.filter((c) => c.task_id === t.id).map((c) => ({ body: c.body })) })) })) } },
      };
    }
    const { rows } = await client.query({ name: 'list', text: LIST });
    return { data: { tasks: { nodes: rows.slice(0, 20).map(camel) } } };
  });
  if (out === null) return reply.code(401).send({ error: 'unauthenticated' });
  return out;
});

await serveUntilStopped(app, port, pool);
