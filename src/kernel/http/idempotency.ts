// Idempotency-Key on every creating POST (a POST that documents a 201) of an authenticated
// caller, as Stripe does: the first answer to (workspace, caller, key) is kept 24 hours and
// replayed, byte for byte, to a retry with the same body (header `Idempotent-Replayed: true`);
// the same key with another body or on another route is 422 IDEMPOTENCY_KEY_REUSED; a retry
// while the first is still running is 409 IDEMPOTENCY_KEY_IN_PROGRESS with Retry-After.
// The key is claimed after validation (an invalid request stores nothing), and released when the
// answer is a 5xx, so the retry runs again. A claim left behind by a process that died
// mid-request is free again after five minutes.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Tx } from '../db/database.ts';
import { kernelErrors } from '../errors.ts';
import { sendProblem } from './errors.ts';
import { ProblemSchema } from './openapi.ts';

const KEY = /^[\x21-\x7e]{1,255}$/;
const STALE_CLAIM = "interval '5 minutes'";

type Claim = { workspaceId: string; principal: string; key: string };

/** JSON with object keys sorted: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same body. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method} ${request.url.split('?')[0]}\n${canonicalJson(request.body ?? null)}`).digest('hex');
}

type Stored = { fingerprint: string; status: number | null; content_type: string | null; response_body: string | null };

async function claim(tx: Tx, c: Claim, fingerprint: string): Promise<Stored | null> {
  await tx.query(
    `delete from idempotency_keys where workspace_id = $1 and (expires_at < now() or (principal = $2 and key = $3 and status is null and created_at < now() - ${STALE_CLAIM}))`,
    [c.workspaceId, c.principal, c.key],
  );
  const inserted = await tx.query(
    `insert into idempotency_keys (workspace_id, principal, key, fingerprint) values ($1, $2, $3, $4)
     on conflict (workspace_id, principal, key) do nothing returning key`,
    [c.workspaceId, c.principal, c.key, fingerprint],
  );
  if (inserted.rowCount === 1) return null;
  const { rows } = await tx.query<Stored>(
    'select fingerprint, status, content_type, response_body from idempotency_keys where workspace_id = $1 and principal = $2 and key = $3',
    [c.workspaceId, c.principal, c.key],
  );
  return rows[0] ?? { fingerprint, status: null, content_type: null, response_body: null };
}

/** Marks creating POSTs, documents the header and the 409/422, and honours the key. Call before the routes are registered. */
export function registerIdempotency(app: FastifyInstance, db: Database): void {
  const claims = new WeakMap<FastifyRequest, Claim>();

  async function honourKey(request: FastifyRequest, reply: FastifyReply) {
    const key = request.headers['idempotency-key'];
    if (key === undefined || !request.principal) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      return sendProblem(reply, request, kernelErrors.create('VALIDATION_FAILED', 'headers.idempotency-key must be 1 to 255 visible ASCII characters', { extra: { errors: [{ path: 'headers.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' }] } }));
    }
    const p = request.principal;
    const c: Claim = { workspaceId: p.workspaceId, principal: p.kind === 'api_key' ? `api_key:${p.apiKeyId}` : `user:${p.userId}`, key };
    const fingerprint = fingerprintOf(request);
    const stored = await db.withWorkspace(c.workspaceId, (tx) => claim(tx, c, fingerprint));
    if (!stored) {
      claims.set(request, c);
      return;
    }
    if (stored.fingerprint !== fingerprint) {
      return sendProblem(reply, request, kernelErrors.create('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was sent with another body or to another route; use a new key for a new request'));
    }
    if (stored.status === null) {
      return sendProblem(reply, request, kernelErrors.create('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still running; retry shortly', { headers: { 'retry-after': '1' } }));
    }
    return reply.code(stored.status).header('idempotent-replayed', 'true').type(stored.content_type ?? 'application/json').send(stored.response_body ?? '');
  }

  async function storeAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const c = claims.get(request);
    if (!c) return payload;
    claims.delete(request);
    const isStorable = reply.statusCode < 500 && (typeof payload === 'string' || payload === null || payload === undefined);
    await db.withWorkspace(c.workspaceId, (tx) => isStorable
      ? tx.query('update idempotency_keys set status = $4, content_type = $5, response_body = $6 where workspace_id = $1 and principal = $2 and key = $3',
        [c.workspaceId, c.principal, c.key, reply.statusCode, String(reply.getHeader('content-type') ?? 'application/json'), (payload as string | null | undefined) ?? ''])
      // A server fault stores nothing: the retry runs again.
      : tx.query('delete from idempotency_keys where workspace_id = $1 and principal = $2 and key = $3', [c.workspaceId, c.principal, c.key]));
    return payload;
  }

  // Only creating routes get the hooks: no other request pays anything for idempotency.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: Record<string | number, unknown>; headers?: { type?: string; properties?: Record<string, unknown> }; hide?: boolean } | undefined;
    const config = (route.config ?? {}) as { auth?: string };
    const isCreate = route.method === 'POST' && schema?.response?.[201] !== undefined && config.auth !== 'public';
    if (!isCreate || !schema || schema.hide) return;
    route.preHandler = [...(route.preHandler ? [route.preHandler].flat() : []), honourKey];
    route.onSend = [...(route.onSend ? [route.onSend].flat() : []), storeAnswer];
    const header = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', description: 'Send the same key to retry safely: the first answer is replayed for 24 h (Idempotent-Replayed: true); another body with it is 422' };
    if (!schema.headers) schema.headers = { type: 'object', properties: { 'idempotency-key': header } };
    else if (schema.headers.properties && !schema.headers.properties['idempotency-key']) schema.headers = { ...schema.headers, properties: { ...schema.headers.properties, 'idempotency-key': header } };
    schema.response = {
      ...schema.response,
      409: schema.response?.[409] ?? { ...ProblemSchema, description: 'Conflicts with the current state; or IDEMPOTENCY_KEY_IN_PROGRESS (retry after Retry-After)' },
      422: schema.response?.[422] ?? { ...ProblemSchema, description: 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key came with another body or route' },
    };
  });
}
