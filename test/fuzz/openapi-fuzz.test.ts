// The fuzz suite: for every operation of the app's own OpenAPI document, fast-check generates
// valid and hostile requests and sends them over real HTTP to the real platform on a real
// database, as workspace A's owner, A's API key, workspace B's owner and B's API key, a platform
// admin, and nobody. Properties, for every answer:
//   - never a 5xx;
//   - an error is application/problem+json, matches the documented problem schema, and its
//     status is one the operation documents;
//   - a success matches the documented response schema;
//   - B never sees A's data (what B sent may be echoed back, nothing else of A).
// After the run: an untouched workspace's API logging and audit chain still work.
// Short run in `npm test`: a fixed seed and at most ATRIUM_FUZZ_RUNS (60) requests per operation
// within ATRIUM_FUZZ_SECONDS (45), so CI replays inputs already explored; the long run, `npm run
// fuzz`, takes a random seed and as many requests as 10 minutes allow. A failure prints the seed
// and the request, and writes them to artifacts/fuzz-failures-<seed>.txt; replay it with
// ATRIUM_FUZZ_SEED=<seed> (and the same runs and seconds).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { createFixtures } from '../tenant-guard/fixtures.ts';
import type { Fixtures } from '../tenant-guard/fixtures.ts';
import { createPlatformAdminSession, createTenant } from '../helpers/tenants.ts';
import type { Tenant as UntouchedTenant } from '../helpers/tenants.ts';
import { parseDateTime } from '../../src/kernel/http/date-time.ts';
import { queryString, requestArb } from './generate.ts';
import type { GeneratedRequest, JsonSchema, Parameter } from './generate.ts';

const SECONDS = Number(process.env.ATRIUM_FUZZ_SECONDS ?? 45);
const IS_LONG_RUN = process.env.ATRIUM_FUZZ_RUNS !== undefined;
const RUNS = Number(process.env.ATRIUM_FUZZ_RUNS ?? 60);
const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts');
const SEED = process.env.ATRIUM_FUZZ_SEED !== undefined ? Number(process.env.ATRIUM_FUZZ_SEED) : IS_LONG_RUN ? Math.floor(Math.random() * 2 ** 31) : 20261205;

type Response = { description?: string; content?: Record<string, { schema: JsonSchema }> };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema: JsonSchema }> }; responses: Record<string, Response>; security?: unknown[] };
type Doc = { paths: Record<string, Record<string, Operation>> };
type Principal = 'ownerA' | 'keyA' | 'ownerB' | 'keyB' | 'admin' | 'nobody';
const PRINCIPALS: Principal[] = ['ownerA', 'keyA', 'ownerB', 'keyB', 'admin', 'nobody'];

// Operations that, once valid, end the caller's own access (a logout, the workspace deleted…):
// run last, and A is repaired before each operation (see repairA).
const LAST = ['/auth/logout', '/workspaces/current', '/auth/password', '/admin/workspaces/{id}', '/admin/users/{id}/logout', '/auth/sessions/{id}', '/members/{userId}', '/api-keys/{id}'];

let platform: TestPlatform;
let fx: Fixtures;
let doc: Doc;
let admin: { userId: string; token: string };
let untouched: UntouchedTenant;
const credentials: Record<Principal, string | null> = { ownerA: null, keyA: null, ownerB: null, keyB: null, admin: null, nobody: null };
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats.default(ajv);
ajv.addFormat('date-time', { type: 'string', validate: (s: string) => parseDateTime(s) !== null });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
const stats = { requests: 0, byStatus: new Map<number, number>(), operations: 0 };

before(async () => {
  platform = await startTestPlatform({}, { listen: true });
  fx = await createFixtures(platform);
  admin = await createPlatformAdminSession(platform, 'fuzz-admin@example.com', 'Fuzz Admin');
  untouched = await createTenant(platform, 'fuzz-untouched');
  doc = (await fetch(`${platform.baseUrl}/api/v1/openapi.json`).then((r) => r.json())) as Doc;
  Object.assign(credentials, { ownerA: fx.a.token, keyA: fx.a.apiKey, ownerB: fx.b.token, keyB: fx.b.apiKey, admin: admin.token });
  console.log(`fuzz: seed ${SEED}, up to ${RUNS} requests per operation in ${SECONDS} s (replay: ATRIUM_FUZZ_SEED=${SEED} ATRIUM_FUZZ_RUNS=${RUNS} ATRIUM_FUZZ_SECONDS=${SECONDS})`);
});

after(async () => {
  const byStatus = [...stats.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(`fuzz: ${stats.requests} requests over ${stats.operations} operations: ${byStatus}`);
  await platform?.stop();
});

/** Whatever the previous operation did to A (logged out, deleted, suspended, its key revoked, rate-limited), A works again. */
async function repairA(): Promise<void> {
  await platform.db.withPlatform(async (tx) => {
    await tx.query(`update workspaces set status = 'active', deleted_at = null where id = any($1)`, [[fx.a.workspaceId, fx.b.workspaceId]]);
    await tx.query(`delete from workspace_settings where workspace_id = any($1) and key = 'rate_limit.per_minute'`, [[fx.a.workspaceId, fx.b.workspaceId]]);
    await tx.query(`update api_keys set revoked_at = null where workspace_id = any($1)`, [[fx.a.workspaceId, fx.b.workspaceId]]);
    await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner'), ($3, $4, 'owner')
                    on conflict (workspace_id, user_id) do update set role = 'owner'`, [fx.a.workspaceId, fx.a.ownerId, fx.b.workspaceId, fx.b.ownerId]);
  });
  for (const [principal, tenant] of [['ownerA', fx.a], ['ownerB', fx.b]] as const) {
    const pair = await platform.db.withWorkspace(tenant.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: tenant.ownerId, workspaceId: tenant.workspaceId, role: 'owner', isPlatformAdmin: false }));
    credentials[principal] = pair.accessToken;
  }
  const pair = await platform.db.withPlatform(async (tx) => {
    const ws = (await tx.query<{ workspace_id: string }>(`select workspace_id from memberships where user_id = $1 limit 1`, [admin.userId])).rows[0].workspace_id;
    return { ws };
  });
  const adminPair = await platform.db.withWorkspace(pair.ws, (tx) =>
    platform.identity.sessions.openSession(tx, { userId: admin.userId, workspaceId: pair.ws, role: 'owner', isPlatformAdmin: true }));
  credentials.admin = adminPair.accessToken;
}

function validatorFor(key: string, schema: JsonSchema) {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(schema as object);
    validators.set(key, v);
  }
  return v;
}

/**
 * What B has itself sent, at any time in the run (A's ids are among the values the generator
 * knows): B's own records (its API log, its audit trail, its tickets…) may give it back. Seeing
 * anything else of A — a name, a secret value, an id B never had — is a leak.
 */
const knownToB = new Set<string>();

function noteSentByB(request: GeneratedRequest, sentUrl: string): void {
  const sent = `${sentUrl} ${decodeURIComponentSafe(sentUrl)} ${typeof request.body === 'string' ? request.body : ''} ${JSON.stringify(request.headers)}`;
  for (const secret of fx.secretsOfA) if (sent.includes(secret)) knownToB.add(secret);
}

/** A's strings in B's answer that B never had. */
function leakedSecretsOfA(body: string): string[] {
  return fx.secretsOfA.filter((secret) => !knownToB.has(secret) && body.includes(secret));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

async function send(request: GeneratedRequest, principal: Principal) {
  const url = `${request.path}${queryString(request.query)}`;
  const headers: Record<string, string> = { ...request.headers };
  const token = credentials[principal];
  if (token) headers.authorization = `Bearer ${token}`;
  if (request.contentType) headers['content-type'] = request.contentType;
  const body = request.body === null ? undefined : typeof request.body === 'string' ? request.body : new Uint8Array(request.body);
  const res = await fetch(`${platform.baseUrl}${url}`, { method: request.method, headers, body, redirect: 'manual' });
  const text = await res.text();
  return { url, status: res.status, contentType: res.headers.get('content-type') ?? '', text, allow: res.headers.get('allow') };
}

/**
 * The one 5xx that is not the platform's: the model gateway's answer when the workspace's own
 * provider fails (the fixture's points at 127.0.0.1:9, and the run may allow private addresses or
 * change its key): 502/504 with a PROVIDER_* code, documented on the gateway's routes, as OpenAI
 * and LiteLLM answer. Any other 5xx, on any route, fails the run.
 */
const UPSTREAM_CODES = new Set(['PROVIDER_UNREACHABLE', 'PROVIDER_TIMEOUT', 'PROVIDER_ERROR']);
function isUpstreamFailure(name: string, answer: { status: number; text: string }): boolean {
  if ((answer.status !== 502 && answer.status !== 504) || !/^POST \/v1\//.test(name)) return false;
  try {
    return UPSTREAM_CODES.has(String((JSON.parse(answer.text) as { code?: unknown }).code));
  } catch {
    return false;
  }
}

function checkAnswer(name: string, op: Operation, request: GeneratedRequest, principal: Principal, answer: Awaited<ReturnType<typeof send>>): void {
  const shownUrl = answer.url.length > 160 ? `${answer.url.slice(0, 160)}…` : answer.url;
  const where = `${name} as ${principal}: ${request.method} ${shownUrl} [${request.hostility}] → ${answer.status} ${answer.text.slice(0, 300)}`;
  stats.requests++;
  stats.byStatus.set(answer.status, (stats.byStatus.get(answer.status) ?? 0) + 1);
  assert.ok(answer.status < 500 || isUpstreamFailure(name, answer), `a 5xx: ${where}`);
  const documented = op.responses[String(answer.status)] ?? op.responses[`${String(answer.status)[0]}XX`];
  if (answer.status >= 400) {
    assert.match(answer.contentType, /^application\/problem\+json/, `an error that is not a problem: ${where}`);
    const problem = JSON.parse(answer.text) as Record<string, unknown>;
    assert.equal(problem.status, answer.status, `problem status differs from HTTP status: ${where}`);
    assert.ok(typeof problem.code === 'string' && typeof problem.type === 'string' && typeof problem.title === 'string', `incomplete problem: ${where}`);
    // Answers of the app before any route (no such path, another method, headers over Node's limit) are documented once, in the document's description.
    const isRouted = !['ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED', 'HEADERS_TOO_LARGE'].includes(String(problem.code));
    if (isRouted) {
      assert.ok(documented, `status ${answer.status} (${String(problem.code)}) is not documented: ${where}`);
      const schema = documented.content?.['application/json']?.schema;
      if (schema) {
        const validate = validatorFor(`${name} ${answer.status}`, schema);
        assert.ok(validate(problem), `problem does not match its documented schema (${ajv.errorsText(validate.errors)}): ${where}`);
      }
    }
  } else if (answer.status >= 200 && answer.status < 300 && answer.status !== 204 && /json/.test(answer.contentType)) {
    assert.ok(documented, `status ${answer.status} is not documented: ${where}`);
    const schema = documented.content?.['application/json']?.schema;
    if (schema) {
      const validate = validatorFor(`${name} ${answer.status}`, schema);
      assert.ok(validate(JSON.parse(answer.text)), `answer does not match its documented schema (${ajv.errorsText(validate.errors)}): ${where}`);
    }
  }
  if (principal === 'ownerB' || principal === 'keyB') {
    noteSentByB(request, answer.url);
    const leaked = leakedSecretsOfA(answer.text);
    assert.deepEqual(leaked, [], `B sees A's data: ${where}`);
  }
}

describe('fuzz: every operation of the OpenAPI document, valid and hostile', () => {
  test('no 5xx; every error a documented problem; every success its documented schema; B never sees A', async () => {
    const ctx = {
      knownIds: [fx.a.workspaceId, fx.a.ownerId, fx.a.memberId, fx.a.apiKeyId, fx.a.invitationId, fx.a.mailId, fx.a.secretId, fx.a.auditEventId, fx.a.roleId,
        fx.a.workflowId, fx.a.executionId, fx.a.requestId, fx.a.ticketId, fx.a.jobId, fx.a.endpointId, fx.a.inboundDeliveryId, fx.a.subscriptionId, fx.a.outboundDeliveryId,
        fx.b.workspaceId, fx.b.ownerId],
      knownNames: [fx.a.secretName, 'GUARD_SECRET_B', 'owner-guard-a@example.com'],
    };
    const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
      .sort((x, y) => Number(LAST.some((l) => x.path.endsWith(l))) - Number(LAST.some((l) => y.path.endsWith(l))));
    const budget = (SECONDS * 1000) / ops.length;
    const failures: string[] = [];
    for (const { path, method, op } of ops) {
      const name = `${method} ${path}`;
      await repairA();
      stats.operations++;
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const arb = fc.tuple(requestArb({ method, path, parameters: op.parameters ?? [], bodySchema }, ctx), fc.constantFrom(...PRINCIPALS));
      // Every operation runs, and every failing one is reported (each with its shrunk request).
      const property = fc.asyncProperty(arb, async ([request, principal]) => checkAnswer(name, op, request, principal, await send(request, principal)));
      let details = await fc.check(property, { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: budget, markInterruptAsFailure: false, endOnFailure: true });
      // fast-check counts an interruption before any run ended as a failure (with no error): on a
      // loaded machine an operation's first request can outlast its share of the time. It gets a
      // few runs with room instead, so that every operation is tried at least once.
      if (details.failed && details.interrupted && details.errorInstance === null && details.numRuns === 0) {
        details = await fc.check(property, { seed: SEED, numRuns: 3, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true, endOnFailure: true });
      }
      if (details.failed) failures.push(`${name}: ${(details.errorInstance as Error | undefined)?.message ?? `no answer in ${details.interrupted ? 'its time' : '?'} (${details.numRuns} runs)`}`);
    }
    // A long run's seed is random: its failures are also kept in a file, so that a log cut short
    // (or filtered) never loses what to replay.
    if (failures.length) {
      const file = path.join(ARTIFACTS, `fuzz-failures-${SEED}.txt`);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(file, `replay: ATRIUM_FUZZ_SEED=${SEED} ATRIUM_FUZZ_RUNS=${RUNS} ATRIUM_FUZZ_SECONDS=${SECONDS} npm run fuzz\n\n${failures.join('\n\n')}\n`);
      console.log(`fuzz: ${failures.length} failing operation(s), written to ${path.relative(process.cwd(), file)}`);
    }
    assert.deepEqual(failures, [], `seed ${SEED}:\n${failures.join('\n\n')}`);
  });

  test('a known path with a method it does not have: 405 problem with Allow', async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const methods = Object.keys(item).map((m) => m.toUpperCase());
      const wrong = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].find((m) => !methods.includes(m));
      if (!wrong) continue;
      const url = path.replace(/\{[^}]+\}/g, fx.a.workflowId);
      const res = await fetch(`${platform.baseUrl}${url}`, { method: wrong, headers: { authorization: `Bearer ${credentials.ownerA}` } });
      assert.equal(res.status, 405, `${wrong} ${url}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      for (const m of methods) assert.ok(res.headers.get('allow')?.includes(m), `${wrong} ${url}: Allow ${res.headers.get('allow')} lacks ${m}`);
    }
  });

  test('after the run, an untouched workspace\'s API logging and audit chain still work', async () => {
    const res = await fetch(`${platform.baseUrl}/api/v1/secrets/AFTER_FUZZ`, {
      method: 'PUT', headers: { authorization: `Bearer ${untouched.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ value: 'after the fuzz' }),
    });
    assert.equal(res.status, 201, await res.text());
    await platform.apiLogs.flush();
    const logged = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>(
      `select count(*)::int as n from api_logs where workspace_id = $1 and endpoint = '/api/v1/secrets/:name'`, [untouched.workspaceId])).rows[0].n);
    assert.equal(logged, 1, 'the untouched workspace\'s request is in its API log');
    const writer = platform.apiLogs.stats();
    assert.equal(writer.buffered, 0);
    assert.equal(writer.refused, 0, `no API log row was refused even sanitised (last: ${platform.apiLogs.lastRefusal()})`);
    await platform.audit.seal();
    const verification = await platform.audit.verifyWorkspace(untouched.workspaceId);
    assert.equal(verification.isValid, true);
    assert.ok(verification.checked >= 1);
  });
});
