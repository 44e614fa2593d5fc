// One HTTP POST of a signed delivery: never follows redirects, times out, keeps the first 4 KB
// of the answer, and connects only to public addresses unless the workspace allows private ones
// (the check runs on the resolved addresses, see src/kernel/net/public-address.ts).
import http from 'node:http';
import https from 'node:https';
import { checkUrlTarget, guardedLookup } from '../../../kernel/net/public-address.ts';
import { inSpan, isTracing, SpanKind, SpanStatusCode, traceHeaders } from '../../../kernel/tracing.ts';

export const EXCERPT_BYTES = 4096;

export type PostResult = {
  statusCode: number | null;
  isSuccess: boolean;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
  /** The target was refused before connecting (private address, bad URL): retrying won't help. */
  isRefused: boolean;
};

// Sockets are pooled per guard setting: a connection opened for a workspace that allows private
// addresses is never reused for one that doesn't.
const agents = {
  public: { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) },
  private: { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) },
};

/** One delivery attempt, in a CLIENT span when tracing is on (the receiver gets `traceparent` and can continue the trace). */
export function postWebhook(url: string, headers: Record<string, string>, body: string, options: { timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal }): Promise<PostResult> {
  if (!isTracing()) return post(url, headers, body, options);
  let host = '';
  try {
    host = new URL(url).host;
  } catch { /* refused below */ }
  return inSpan(`webhook POST ${host}`, { 'http.request.method': 'POST', 'server.address': host }, async (span) => {
    const result = await post(url, { ...headers, ...traceHeaders() }, body, options);
    span?.setAttributes({ 'http.response.status_code': result.statusCode ?? 0, 'atrium.webhook.success': result.isSuccess });
    if (!result.isSuccess) span?.setStatus({ code: SpanStatusCode.ERROR, message: result.error ?? `HTTP ${result.statusCode}` });
    return result;
  }, SpanKind.CLIENT);
}

function post(url: string, headers: Record<string, string>, body: string, options: { timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal }): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  const refusal = checkUrlTarget(url, { allowPrivate: options.allowPrivate });
  if (refusal) return Promise.resolve({ statusCode: null, isSuccess: false, durationMs: 0, responseExcerpt: null, error: `Refused: the URL ${refusal}`, isRefused: true });

  const target = new URL(url);
  const isHttps = target.protocol === 'https:';
  const pool = options.allowPrivate ? agents.private : agents.public;
  return new Promise((resolve) => {
    let isSettled = false;
    const settle = (r: Omit<PostResult, 'durationMs'>) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, durationMs: elapsed() });
    };
    const request = (isHttps ? https : http).request(target, {
      method: 'POST',
      agent: isHttps ? pool.https : pool.http,
      lookup: guardedLookup({ allowPrivate: options.allowPrivate }),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Atrium-Webhooks/1' },
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < EXCERPT_BYTES) chunks.push(chunk.subarray(0, EXCERPT_BYTES - size));
        size += chunk.length;
      });
      const finish = () => {
        const status = response.statusCode ?? 0;
        const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_BYTES);
        const isSuccess = status >= 200 && status < 300;
        settle({ statusCode: status, isSuccess, responseExcerpt: excerpt || null, error: isSuccess ? null : `HTTP ${status}`, isRefused: false });
      };
      response.on('end', finish);
      response.on('error', finish);
    });
    const fail = (err: Error & { code?: string }) => {
      const isRefused = err.code === 'ENONPUBLIC';
      settle({ statusCode: null, isSuccess: false, responseExcerpt: null, error: isRefused ? `Refused: ${err.message}` : `${err.code ? `${err.code}: ` : ''}${err.message}`, isRefused });
    };
    request.on('error', fail);
    const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })), options.timeoutMs);
    const onAbort = () => request.destroy(Object.assign(new Error('the delivery job was stopped'), { code: 'EABORTED' }));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}
