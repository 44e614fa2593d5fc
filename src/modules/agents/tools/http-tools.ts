// The HTTP tools (issue 13): an agent calls an outside API as a workflow's `http` step does (the
// workflows module sends it: the workspace's address guard, no redirects, 1 MB cap), with the
// workspace's secrets referenced by name (`{{secrets.NAME}}`) and never shown to the model:
// filled on the server at the last moment, redacted from the answer.
//
// A model can be talked into sending a secret where it should not (a prompt injection in a page
// it read). So a secret leaves only for the hosts the workspace lists in the setting
// `agents.http_secret_hosts` (none by default: requests without secrets work, requests with
// them are refused until an admin names the host). `http.get` only reads; `http.request` (any
// method) counts as mutating, so the console's assistant asks before each one.
import { Type } from '@fastify/type-provider-typebox';
import { defineSetting } from '../../../kernel/settings.ts';
import type { Tx } from '../../../kernel/db/database.ts';
import { explainedToolError } from './registry.ts';
import type { ToolContext, ToolDefinition } from './registry.ts';

export const HTTP_SECRET_HOSTS_SETTING = defineSetting({
  key: 'agents.http_secret_hosts',
  description: 'Hosts the agents\' HTTP tools may send the workspace\'s secrets to (`{{secrets.NAME}}`), e.g. `api.stripe.com` or `*.hubspot.com`; empty (the default): requests naming a secret are refused',
  schema: Type.Array(Type.String({ minLength: 1, maxLength: 253, pattern: '^(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$' }), { maxItems: 100 }),
  default: [],
});

type HttpAnswer = { status: number; headers: Record<string, string>; body: unknown; bodyTruncated?: boolean };
export type HttpToolPorts = {
  request: (input: { workspaceId: string; method: string; url: string; headers?: Record<string, unknown>; body?: unknown; timeoutMs: number; failOnStatus: boolean; signal: AbortSignal }) => Promise<HttpAnswer>;
  secretReferences: (value: unknown) => string[];
  settingsOf: (tx: Tx, workspaceId: string) => Promise<Record<string, unknown>>;
};

/** What the model is given: the body (text up to 32 KB), a few useful headers, the status. */
const MAX_BODY_CHARS = 32_000;
const KEPT_HEADERS = new Set(['content-type', 'content-length', 'location', 'retry-after', 'etag', 'last-modified', 'link', 'x-request-id',
  'x-ratelimit-remaining', 'x-ratelimit-reset']);

function forTheModel(r: HttpAnswer): HttpAnswer {
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => KEPT_HEADERS.has(k)));
  let body = r.body;
  let isTruncated = r.bodyTruncated === true;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  if (text.length > MAX_BODY_CHARS) {
    body = text.slice(0, MAX_BODY_CHARS);
    isTruncated = true;
  }
  return { status: r.status, headers, body, ...(isTruncated ? { bodyTruncated: true } : {}) };
}

function hostMatches(pattern: string, url: URL): boolean {
  const [host, port] = pattern.toLowerCase().split(':');
  if (port && port !== (url.port || (url.protocol === 'https:' ? '443' : '80'))) return false;
  return host.startsWith('*.') ? url.hostname.endsWith(host.slice(1)) : url.hostname === host;
}

async function checkSecretHosts(ports: HttpToolPorts, ctx: ToolContext, input: { url: string; headers?: unknown; body?: unknown }): Promise<string | null> {
  const names = ports.secretReferences(input);
  if (names.length === 0) return null;
  if (ports.secretReferences(input.url.split(/[/?#]/).slice(0, 3).join('/')).length > 0) return 'A secret cannot stand in the URL\'s host';
  let url: URL;
  try {
    url = new URL(input.url.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch {
    return null; // the request reports the bad URL itself
  }
  const settings = await ctx.db.withWorkspace(ctx.workspaceId, (tx) => ports.settingsOf(tx, ctx.workspaceId));
  const allowed = (settings[HTTP_SECRET_HOSTS_SETTING.key] as string[] | undefined) ?? [];
  if (allowed.some((p) => hostMatches(p, url))) return null;
  return `The request names the secret${names.length > 1 ? 's' : ''} ${names.join(', ')}, and ${url.hostname} is not among the hosts this workspace lets agents send secrets to (setting ${HTTP_SECRET_HOSTS_SETTING.key}, set by an admin)`;
}

const Url = { type: 'string', minLength: 8, maxLength: 4096, pattern: '^https?://', description: 'http(s) URL; secrets as {{secrets.NAME}} in the path or query' };
const Headers = {
  type: 'object', maxProperties: 30, additionalProperties: { type: 'string', maxLength: 8192 },
  propertyNames: { pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,100}$' }, description: 'Request headers; secrets as {{secrets.NAME}}, e.g. {"authorization": "Bearer {{secrets.CRM_TOKEN}}"}',
};
const Timeout = { type: 'integer', minimum: 100, maximum: 30_000, description: 'Milliseconds (default 15,000)' };
const Answer = {
  type: 'object', required: ['status', 'headers', 'body'],
  properties: { status: { type: 'integer' }, headers: { type: 'object' }, body: {}, bodyTruncated: { type: 'boolean' } },
};

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the URL';
  }
}

export function httpTools(ports: HttpToolPorts): ToolDefinition[] {
  const send = async (ctx: ToolContext, input: { method: string; url: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number }) => {
    const refusal = await checkSecretHosts(ports, ctx, input);
    if (refusal) throw explainedToolError(`SECRET_HOST_REFUSED: ${refusal}`);
    try {
      const answer = await ports.request({
        workspaceId: ctx.workspaceId, method: input.method, url: input.url, headers: input.headers, body: input.body,
        timeoutMs: input.timeoutMs ?? 15_000, failOnStatus: false, signal: ctx.signal,
      });
      return forTheModel(answer);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      // The workflows module's refusals (StepError: PRIVATE_ADDRESS_REFUSED, HTTP_BAD_URL, HTTP_TIMEOUT) and network failures, secrets already redacted.
      const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'HTTP_FAILED';
      const isStepError = /^(PRIVATE_ADDRESS_REFUSED|HTTP_BAD_URL|HTTP_TIMEOUT|SECRET_NOT_FOUND)$/.test(code);
      throw explainedToolError(isStepError ? `${code}: ${(err as Error).message}` : `HTTP_FAILED: ${input.method} ${safeOrigin(input.url)} could not be reached (${code})`, code !== 'PRIVATE_ADDRESS_REFUSED' && code !== 'HTTP_BAD_URL' && code !== 'SECRET_NOT_FOUND');
    }
  };
  const get: ToolDefinition<{ url: string; headers?: Record<string, string>; timeoutMs?: number }> = {
    name: 'http.get',
    description: 'GET a URL on the internet (an API, a page) and read the answer: status, a few headers, the body (JSON parsed; text cut at 32,000 characters). '
      + 'Use the workspace\'s secrets by name, {{secrets.NAME}}, in headers or query, never their values. Private addresses are refused unless the workspace allows them.',
    inputSchema: { type: 'object', additionalProperties: false, required: ['url'], properties: { url: Url, headers: Headers, timeoutMs: Timeout } },
    outputSchema: Answer,
    permission: 'http.request', timeoutMs: 31_000, isIdempotent: true, retries: 1, ratePerMinute: 120, isMutating: false,
    example: { url: 'https://api.example.com/v1/orders?status=open', headers: { authorization: 'Bearer {{secrets.CRM_TOKEN}}' } },
    run: (ctx, input) => send(ctx, { ...input, method: 'GET' }),
  };
  const request: ToolDefinition<{ method: string; url: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number }> = {
    name: 'http.request',
    description: 'Send an HTTP request (POST, PUT, PATCH, DELETE…) to an outside API: the body as JSON (or a string), headers, the workspace\'s secrets by name ({{secrets.NAME}}). '
      + 'Answers status, a few headers and the body. It changes things elsewhere: the console asks its user first.',
    inputSchema: {
      type: 'object', additionalProperties: false, required: ['method', 'url'],
      properties: { method: { type: 'string', enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] }, url: Url, headers: Headers, body: { description: 'JSON (sent as application/json) or a string' }, timeoutMs: Timeout },
    },
    outputSchema: Answer,
    permission: 'http.request', timeoutMs: 31_000, isIdempotent: false, retries: 0, ratePerMinute: 60, isMutating: true,
    example: { method: 'POST', url: 'https://api.example.com/v1/contacts', headers: { authorization: 'Bearer {{secrets.CRM_TOKEN}}' }, body: { name: 'Ada Lovelace' } },
    run: (ctx, input) => send(ctx, input),
  };
  return [get, request];
}
