// Outbound HTTP to model providers (undici: pooled keep-alive connections). Every connection
// goes through the outbound address guard: private, loopback and reserved addresses are refused
// after DNS resolution unless the workspace allows them (Ollama on a LAN). Errors become
// UpstreamError, which says whether the next target of an alias may be tried.
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { NonPublicAddressError, checkUrlTarget, guardedLookup } from '../../kernel/net/public-address.ts';

export type UpstreamFailure = 'http' | 'timeout' | 'network' | 'address';

export class UpstreamError extends Error {
  readonly kind: UpstreamFailure;
  readonly status: number | null;
  readonly retryAfter: string | null;
  readonly body: string | null;
  constructor(kind: UpstreamFailure, message: string, options: { status?: number; retryAfter?: string | null; body?: string | null } = {}) {
    super(message);
    this.kind = kind;
    this.status = options.status ?? null;
    this.retryAfter = options.retryAfter ?? null;
    this.body = options.body ?? null;
  }

  /** 429, 5xx, timeouts and network failures are worth another target; 4xx and refused addresses are not. */
  get isRetryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    if (this.kind === 'http') return this.status === 429 || (this.status !== null && this.status >= 500);
    return false;
  }
}

const agents = {
  guarded: new Agent({ connect: { lookup: guardedLookup({ allowPrivate: false }) }, keepAliveTimeout: 30_000, connections: 256 }),
  open: new Agent({ connect: { lookup: guardedLookup({ allowPrivate: true }) }, keepAliveTimeout: 30_000, connections: 256 }),
};

export type UpstreamRequest = {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  isPrivateAllowed: boolean;
  /** Until the response headers arrive (for a stream: the first token's wait), and between two body chunks. */
  timeoutMs: number;
  signal?: AbortSignal;
};

export type UpstreamResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: Dispatcher.ResponseData['body'] };

const MAX_ERROR_BODY = 8 * 1024;

export async function sendUpstream(r: UpstreamRequest): Promise<UpstreamResponse> {
  const refusal = checkUrlTarget(r.url, { allowPrivate: r.isPrivateAllowed });
  if (refusal) throw new UpstreamError('address', `The provider URL ${refusal}`);
  let res: Dispatcher.ResponseData;
  try {
    res = await request(r.url, {
      method: r.method, headers: { 'user-agent': 'Atrium-Gateway/1', ...r.headers }, body: r.body,
      dispatcher: r.isPrivateAllowed ? agents.open : agents.guarded,
      headersTimeout: r.timeoutMs, bodyTimeout: r.timeoutMs, signal: r.signal,
    });
  } catch (err) {
    throw toUpstreamError(err, r.timeoutMs);
  }
  if (res.statusCode >= 400) {
    const text = await readCapped(res.body, MAX_ERROR_BODY).catch(() => '');
    const retryAfter = res.headers['retry-after'];
    throw new UpstreamError('http', `The provider answered ${res.statusCode}${providerMessage(text)}`, {
      status: res.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body: text,
    });
  }
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** The provider's own error message, when its body has one (OpenAI and Anthropic both use error.message). */
function providerMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    const message = parsed.error?.message;
    return typeof message === 'string' && message ? `: ${message.slice(0, 500)}` : '';
  } catch {
    return '';
  }
}

export function toUpstreamError(err: unknown, timeoutMs: number): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  if (err instanceof NonPublicAddressError || e.cause instanceof NonPublicAddressError) {
    return new UpstreamError('address', ((e.cause instanceof NonPublicAddressError ? e.cause : err) as Error).message);
  }
  if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.name === 'TimeoutError') {
    return new UpstreamError('timeout', `The provider did not answer within ${timeoutMs} ms`);
  }
  if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') return new UpstreamError('network', 'The call was cancelled');
  return new UpstreamError('network', `The provider could not be reached (${e.code ?? e.message})`);
}

export async function readCapped(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      chunks.push(chunk.subarray(0, chunk.length - (size - max)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON answer, capped (a provider cannot make the gateway hold an unbounded body). */
export async function readJson(res: UpstreamResponse, timeoutMs: number, max = 32 * 1024 * 1024): Promise<unknown> {
  let text: string;
  try {
    text = await readCapped(res.body, max);
  } catch (err) {
    throw toUpstreamError(err, timeoutMs);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError('http', 'The provider\'s answer is not valid JSON', { status: 502 });
  }
}

export type SseEvent = { event: string | null; data: string };

/** Server-Sent Events from a provider's body, one event at a time. */
export async function* readSse(body: AsyncIterable<Buffer>, timeoutMs: number): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: string | null = null;
  let data: string[] = [];
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
        if (line === '') {
          if (data.length) yield { event, data: data.join('\n') };
          event = null;
          data = [];
        } else if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        // comments (":") and other fields are ignored
      }
    }
  } catch (err) {
    throw toUpstreamError(err, timeoutMs);
  }
  if (data.length) yield { event, data: data.join('\n') };
}
