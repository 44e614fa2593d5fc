// The `http` step: one request, its response as the output ({status, headers, body}). URL,
// headers and body may hold `=expressions` and `{{secrets.NAME}}` references, filled on the
// server at the last moment; the values never reach the definition, the output or the logs
// (the interpreter redacts them). Private and loopback addresses are refused after DNS
// resolution unless the workspace allows them; redirects are not followed.
import { toStorableJson } from '../../kernel/db/isolating-write.ts';
import http from 'node:http';
import https from 'node:https';
import { Type } from '@fastify/type-provider-typebox';
import { fillSecrets, mappingProblems, secretReferences } from './expressions.ts';
import { NonPublicAddressError, checkUrlTarget, guardedLookup } from '../../kernel/net/public-address.ts';
import { StepError } from './workflows.types.ts';
import type { StepContext, StepExecutor } from './workflows.types.ts';

export type HttpStepDeps = { isPrivateNetworkAllowed: (workspaceId: string) => Promise<boolean> };

const MAX_RESPONSE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

export type HttpResponse = { status: number; headers: Record<string, string>; body: unknown; bodyTruncated?: boolean };

function send(url: URL, init: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; signal: AbortSignal; isPrivateAllowed: boolean }): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const signal = AbortSignal.any([init.signal, AbortSignal.timeout(init.timeoutMs)]);
    const req = client.request(url, {
      method: init.method,
      headers: { 'user-agent': 'Atrium-Workflows/1', ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) },
      lookup: guardedLookup({ allowPrivate: init.isPrivateAllowed }),
      signal,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let isTruncated = false;
      res.on('data', (chunk: Buffer) => {
        if (isTruncated) return;
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          isTruncated = true;
          chunks.push(chunk.subarray(0, chunk.length - (size - MAX_RESPONSE_BYTES)));
          res.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish());
      res.on('error', (err) => { if (!isTruncated) reject(err); });
      let isDone = false;
      function finish() {
        if (isDone) return;
        isDone = true;
        const text = Buffer.concat(chunks).toString('utf8');
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        let body: unknown = text;
        if (!isTruncated && /\bjson\b/i.test(headers['content-type'] ?? '') && text.length > 0) {
          try { body = JSON.parse(text); } catch { body = text; }
        }
        // A response is the outside world's text: made storable (NUL, lone surrogates → U+FFFD) so the step's checkpoint can hold it.
        resolve({ status: res.statusCode ?? 0, headers, body: toStorableJson(body, 200), ...(isTruncated ? { bodyTruncated: true } : {}) });
      }
    });
    req.on('error', (err) => {
      if (err instanceof NonPublicAddressError) reject(new StepError('PRIVATE_ADDRESS_REFUSED', err.message));
      else if (signal.aborted && !init.signal.aborted) reject(new StepError('HTTP_TIMEOUT', `${init.method} ${url.origin}${url.pathname} timed out after ${init.timeoutMs} ms`));
      else reject(err);
    });
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

export type HttpRequestInput = {
  workspaceId: string; method: string; url: unknown; headers?: Record<string, unknown>; body?: unknown; timeoutMs: number; failOnStatus: boolean;
  signal: AbortSignal;
  /** A secret's value by name, for its `{{secrets.NAME}}` references (the caller redacts the values from what it keeps). */
  secret: (name: string) => Promise<string>;
};

/**
 * One outbound request with the workspace's guard (the `http` step, and agents' HTTP tools):
 * secrets filled at the last moment, private addresses refused unless allowed, redirects not
 * followed, the response capped at 1 MB. Errors are StepErrors: PRIVATE_ADDRESS_REFUSED,
 * HTTP_BAD_URL, HTTP_TIMEOUT, HTTP_STATUS (with failOnStatus).
 */
export async function performHttpRequest(deps: HttpStepDeps, input: HttpRequestInput): Promise<HttpResponse> {
  const resolved = { url: input.url, headers: input.headers ?? {}, body: input.body };
  const values = new Map<string, string>();
  for (const name of secretReferences(resolved)) values.set(name, await input.secret(name));
  const filled = fillSecrets(resolved, values) as typeof resolved;

  const isPrivateAllowed = await deps.isPrivateNetworkAllowed(input.workspaceId);
  const refusal = checkUrlTarget(String(filled.url), { allowPrivate: isPrivateAllowed });
  if (refusal) {
    const isPrivate = /private|localhost/.test(refusal);
    throw new StepError(isPrivate ? 'PRIVATE_ADDRESS_REFUSED' : 'HTTP_BAD_URL', `The URL ${refusal}${isPrivate ? ' (a workspace admin can allow private addresses with the setting network.allow_private_addresses)' : ''}`);
  }
  const url = new URL(String(filled.url));

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(filled.headers ?? {})) headers[k.toLowerCase()] = typeof v === 'string' ? v : JSON.stringify(v);
  let body: string | undefined;
  if (filled.body !== undefined && filled.body !== null) {
    if (typeof filled.body === 'string') body = filled.body;
    else {
      body = JSON.stringify(filled.body);
      headers['content-type'] ??= 'application/json';
    }
  }
  const response = await send(url, { method: input.method, headers, body, timeoutMs: input.timeoutMs, signal: input.signal, isPrivateAllowed });
  if (input.failOnStatus && response.status >= 400) {
    const snippet = typeof response.body === 'string' ? response.body.slice(0, 500) : JSON.stringify(response.body).slice(0, 500);
    throw new StepError('HTTP_STATUS', `${input.method} ${url.origin}${url.pathname} answered ${response.status}: ${snippet}`);
  }
  return response;
}

export function httpStepExecutor(deps: HttpStepDeps): StepExecutor {
  return {
    description: 'Sends an HTTP request; the output is {status, headers, body}. Secrets as {{secrets.NAME}} in url, headers or body',
    schema: Type.Object({
      method: Type.Optional(Type.Union(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => Type.Literal(m)), { default: 'GET' })),
      url: Type.String({ minLength: 1, maxLength: 4096, description: 'http(s) URL, or `=expression` giving one' }),
      headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]{1,100}$' }), Type.String({ maxLength: 8192 }), { additionalProperties: false })),
      body: Type.Optional(Type.Unknown({ description: 'JSON (sent as application/json) or a string' })),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 300_000, default: DEFAULT_TIMEOUT_MS })),
      failOnStatus: Type.Optional(Type.Boolean({ default: true, description: 'A 4xx/5xx answer fails the step (default true)' })),
    }, { description: 'http' }),
    validate(step, path) {
      const problems = [...mappingProblems(step.url, `${path}.url`), ...mappingProblems(step.headers, `${path}.headers`), ...mappingProblems(step.body, `${path}.body`)];
      if (typeof step.url === 'string' && !step.url.startsWith('=') && !/^https?:\/\//i.test(step.url)) problems.push({ path: `${path}.url`, message: 'must start with http:// or https://' });
      return problems;
    },
    async execute(ctx: StepContext) {
      const step = ctx.step;
      return performHttpRequest(deps, {
        workspaceId: ctx.workspaceId, method: (step.method as string | undefined) ?? 'GET', url: await ctx.resolve(step.url),
        headers: (await ctx.resolve(step.headers ?? {})) as Record<string, unknown>, body: step.body === undefined ? undefined : await ctx.resolve(step.body),
        timeoutMs: (step.timeoutMs as number | undefined) ?? DEFAULT_TIMEOUT_MS, failOnStatus: step.failOnStatus !== false, signal: ctx.signal, secret: ctx.secret,
      });
    },
  };
}
