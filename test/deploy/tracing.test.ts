// OpenTelemetry traces (issue 16), collected by an OTLP/HTTP receiver in this process from real
// `atrium start` processes (an API and a worker) configured with the SDK's standard variables:
// a request's SERVER span continues the caller's `traceparent` and parents its database
// statements (through a body parsed from the socket); the problem answer and the log lines carry
// the trace id; a job runs in a CONSUMER span; a webhook delivery is a CLIENT span whose
// `traceparent` reaches the receiver; an LLM call is a CLIENT span with GenAI attributes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../helpers/platform.ts';
import type { TestDatabase } from '../helpers/platform.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { waitUntil } from '../helpers/wait.ts';
import { startCliProcess, stopCliProcess } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';
import { connectFakeProvider, startFakeLlm } from '../helpers/fake-llm.ts';
import type { FakeLlm } from '../helpers/fake-llm.ts';

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpSpan = {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
  attributes?: { key: string; value: OtlpValue }[]; events?: { name: string; attributes?: { key: string; value: OtlpValue }[] }[];
  status?: { code?: number };
};
type Collected = OtlpSpan & { service: string; role: string };

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

const attr = (span: { attributes?: { key: string; value: OtlpValue }[] }, key: string) => {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v ? v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue : undefined;
};

describe('OpenTelemetry traces', () => {
  let database: TestDatabase;
  let receiver: Server;
  let hook: Server;
  let fake: FakeLlm;
  const spans: Collected[] = [];
  const hookHeaders: Record<string, string | string[] | undefined>[] = [];
  const procs: CliProcess[] = [];
  let api: CliProcess;
  let token: string;

  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api.url}${url}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: () => JSON.parse(text) as Record<string, unknown>, text };
  };
  const spanWhere = (what: string, pick: (s: Collected) => boolean) => waitUntil(what, () => spans.find(pick), 15_000);

  before(async () => {
    // The collector: OTLP/HTTP JSON, as the SDK's http exporter sends it.
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const parsed = JSON.parse(body) as { resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
          for (const rs of parsed.resourceSpans) {
            const service = String(attr(rs.resource, 'service.name'));
            const role = String(attr(rs.resource, 'atrium.role'));
            for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service, role });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    hook = createServer((req, res) => { hookHeaders.push(req.headers); req.resume(); req.on('end', () => { res.writeHead(204); res.end(); }); });
    await Promise.all([receiver, hook].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    fake = await startFakeLlm();
    database = await createTestDatabase();
    const env = {
      PATH: process.env.PATH ?? '', ...database.env, ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
      ATRIUM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'atrium-tracing-')), ATRIUM_LOG_LEVEL: 'info', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, OTEL_SERVICE_NAME: 'atrium-test',
    };
    api = await startCliProcess('api', env);
    procs.push(api, await startCliProcess('worker', env));
    const signup = await fetch(`${api.url}/api/v1/onboard/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'traced@example.com', password: 'a long enough password', name: 'Traced', companyName: 'Traced Co' }),
    });
    assert.equal(signup.status, 201);
    token = ((await signup.json()) as { accessToken: string }).accessToken;
  });

  after(async () => {
    await Promise.allSettled(procs.map(stopCliProcess));
    receiver?.close();
    hook?.close();
    await fake?.close();
    await database?.drop();
  });

  test('a request continues the caller\'s trace; its database statements are its children, even after a body read from the socket', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const res = await call('PUT', '/api/v1/secrets/TRACED', { value: 'v' }, { traceparent: `00-${traceId}-${parentId}-01` });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('x-trace-id'), traceId);
    const server = await spanWhere('the request span', (s) => s.traceId === traceId && s.kind === SERVER);
    assert.equal(server.name, 'PUT /api/v1/secrets/:name');
    assert.equal(server.parentSpanId, parentId);
    assert.equal(attr(server, 'http.response.status_code'), 201);
    assert.equal(server.service, 'atrium-test');
    const insert = await spanWhere('an INSERT under the request', (s) => s.traceId === traceId && s.kind === CLIENT && attr(s, 'db.system.name') === 'postgresql' && /insert into secrets/i.test(String(attr(s, 'db.query.text'))));
    assert.ok(insert, 'the secret\'s insert is traced');
    const request = spans.filter((s) => s.traceId === traceId);
    const ids = new Set(request.map((s) => s.spanId));
    assert.ok(request.every((s) => s === server || ids.has(s.parentSpanId ?? '')), 'every span of the trace hangs under the request');
    assert.ok(request.every((s) => !JSON.stringify(s.attributes ?? []).includes('"v"')), 'statement values are not exported');
  });

  test('a problem answer and the request\'s log lines carry the trace id', async () => {
    const res = await call('GET', '/api/v1/no-such-route');
    assert.equal(res.status, 404);
    const traceId = res.json().traceId as string;
    assert.match(traceId, /^[0-9a-f]{32}$/);
    await waitUntil('a log line with the trace id', () => api.output.join('').includes(`"traceId":"${traceId}"`), 5000);
  });

  test('a workflow execution runs in a CONSUMER span on the worker; a webhook delivery is a CLIENT span whose traceparent reaches the receiver', async () => {
    const created = await call('POST', '/api/v1/workflows', { name: 'Traced', definition: { steps: [{ id: 'greet', type: 'transform', expression: '"hi"' }] } });
    assert.equal(created.status, 201, created.text);
    const wf = created.json().id as string;
    assert.equal((await call('POST', `/api/v1/workflows/${wf}/deploy`, {})).status, 200);
    assert.equal((await call('POST', `/api/v1/workflows/${wf}/execute`, { input: {} })).status, 202);
    const job = await spanWhere('the execution job span', (s) => s.kind === CONSUMER && s.name === 'job workflows.execute');
    assert.equal(job.role, 'worker');
    assert.ok(spans.some((s) => s.traceId === job.traceId && s.parentSpanId === job.spanId && attr(s, 'db.system.name') === 'postgresql'), 'the job\'s statements are its children');

    assert.equal((await call('PATCH', '/api/v1/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    const sub = await call('POST', '/api/v1/event-subscriptions', { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, eventTypes: ['execution.completed'] });
    assert.equal(sub.status, 201, sub.text);
    const ping = await call('POST', `/api/v1/event-subscriptions/${sub.json().id as string}/test`);
    assert.equal(ping.status, 202, ping.text);
    const delivery = await spanWhere('the delivery span', (s) => s.kind === CLIENT && s.name.startsWith('webhook POST 127.0.0.1:'));
    assert.equal(attr(delivery, 'http.response.status_code'), 204);
    const traceparent = String(hookHeaders.at(-1)?.traceparent ?? '');
    assert.equal(traceparent.split('-')[1], delivery.traceId, 'the receiver can continue the trace');
  });

  test('an LLM call through the gateway is a CLIENT span with the GenAI attributes, under the request', async () => {
    const keys = await call('POST', '/api/v1/api-keys', { name: 'gateway', role: 'member' });
    assert.equal(keys.status, 201, keys.text);
    await connectFakeProvider(api.url, { owner: token, admin: token }, fake, 'sk-traced'); // the signup's user owns the workspace
    const res = await fetch(`${api.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${keys.json().key as string}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake/gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const llm = await spanWhere('the model call span', (s) => s.kind === CLIENT && s.name === 'chat gpt-4o-mini');
    assert.equal(attr(llm, 'gen_ai.provider.name'), 'openai_compatible');
    assert.equal(attr(llm, 'gen_ai.request.model'), 'gpt-4o-mini');
    assert.ok(Number(attr(llm, 'gen_ai.usage.input_tokens')) > 0);
    const server = spans.find((s) => s.spanId === llm.parentSpanId);
    assert.equal(server?.name, 'POST /v1/chat/completions');
    assert.ok(server?.events?.some((e) => e.name === 'gen_ai.usage'), 'the metered usage is an event of the request span');
  });
});
