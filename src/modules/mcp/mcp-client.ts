// Talking to an external MCP server (Streamable HTTP) with the official SDK's client. Every
// request goes through the outbound address guard (the workspace's setting decides whether
// private addresses are allowed: an MCP server on the agency's LAN is legitimate), follows no
// redirect, and reads at most 4 MB of any answer. One connection per use (initialize, then the
// call, then close): nothing is held between calls, so any process can make them.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { fetch as undiciFetch } from 'undici';
import { checkUrlTarget, guardedDispatcher } from '../../kernel/net/public-address.ts';

const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export type McpTarget = { url: string; headers: Record<string, string>; isPrivateAllowed: boolean; timeoutMs: number };

/** What a server announces of a tool, as kept in mcp_servers.tools. */
export type AnnouncedTool = { name: string; description: string; inputSchema: Record<string, unknown>; readOnly: boolean; idempotent: boolean };

/** A failure talking to the server, in words its user can act on (never the credential). */
export class McpClientError extends Error {
  readonly isRetryable: boolean;
  constructor(message: string, isRetryable: boolean) {
    super(message);
    this.isRetryable = isRetryable;
  }
}

function cappedBody(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > MAX_ANSWER_BYTES) controller.error(new McpClientError(`The server's answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MB`, false));
      else controller.enqueue(chunk);
    },
  }));
}

function describe(err: unknown, target: McpTarget): McpClientError {
  if (err instanceof McpClientError) return err;
  const e = err as { name?: string; code?: unknown; message?: string; cause?: { code?: unknown; message?: string } };
  const code = typeof e.cause?.code === 'string' ? e.cause.code : typeof e.code === 'string' ? e.code : null;
  const origin = new URL(target.url).origin;
  if (code === 'ENONPUBLIC') return new McpClientError(`${e.cause?.message ?? e.message}`, false);
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new McpClientError(`${origin} did not answer within ${target.timeoutMs} ms`, true);
  if (code && /^E[A-Z]+$/.test(code)) return new McpClientError(`${origin} could not be reached (${code})`, true);
  const message = (e.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 500);
  // The SDK's StreamableHTTPError carries the HTTP status as its code (older messages say "(HTTP 401)").
  const status = typeof e.code === 'number' && e.code >= 100 && e.code <= 599 ? String(e.code) : /HTTP (\d{3})/.exec(message)?.[1];
  if (status === '401' || status === '403') return new McpClientError(`${origin} refused the credential (HTTP ${status}): check the secret the server names`, false);
  return new McpClientError(`${origin}: ${message}`, status === undefined || status === '429' || status.startsWith('5'));
}

/** Connect, run `fn` with the client, close: errors come out as McpClientError. */
export async function withMcpClient<T>(target: McpTarget, signal: AbortSignal | undefined, fn: (client: Client, options: { signal: AbortSignal; timeout: number }) => Promise<T>): Promise<T> {
  const refusal = checkUrlTarget(target.url, { allowPrivate: target.isPrivateAllowed });
  if (refusal) throw new McpClientError(`The server URL ${refusal}`, false);
  const deadline = AbortSignal.any([AbortSignal.timeout(target.timeoutMs), ...(signal ? [signal] : [])]);
  const dispatcher = guardedDispatcher({ allowPrivate: target.isPrivateAllowed });
  const transport = new StreamableHTTPClientTransport(new URL(target.url), {
    requestInit: { headers: target.headers, redirect: 'error' },
    redirectPolicy: 'same-origin',
    fetch: async (url, init) => {
      const answer = await undiciFetch(url, { ...(init as object), dispatcher, signal: deadline } as Parameters<typeof undiciFetch>[1]);
      const body = answer.body ? cappedBody(answer.body as ReadableStream<Uint8Array>) : null;
      return new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers as unknown as Headers });
    },
  });
  const client = new Client({ name: 'atrium', version: '1' }, { capabilities: {} });
  try {
    await client.connect(transport, { signal: deadline, timeout: target.timeoutMs });
    return await fn(client, { signal: deadline, timeout: target.timeoutMs });
  } catch (err) {
    throw describe(err, target);
  } finally {
    await client.close().catch(() => undefined);
  }
}

const MAX_TOOLS = 200;
const MAX_SCHEMA_CHARS = 32_000;

/** The server's tools (every page, up to 200), as kept. */
export async function listAnnouncedTools(target: McpTarget, signal?: AbortSignal): Promise<AnnouncedTool[]> {
  return withMcpClient(target, signal, async (client, options) => {
    const tools: AnnouncedTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20 && tools.length < MAX_TOOLS; page++) {
      const answer = await client.listTools(cursor ? { cursor } : {}, options);
      for (const t of answer.tools) {
        const schema = JSON.stringify(t.inputSchema ?? { type: 'object' });
        tools.push({
          name: t.name,
          description: (t.description ?? t.title ?? '').slice(0, 2_000),
          inputSchema: schema.length <= MAX_SCHEMA_CHARS ? t.inputSchema as Record<string, unknown> : { type: 'object' },
          readOnly: t.annotations?.readOnlyHint === true,
          idempotent: t.annotations?.idempotentHint === true,
        });
      }
      cursor = answer.nextCursor;
      if (!cursor) break;
    }
    return tools.slice(0, MAX_TOOLS);
  });
}

const MAX_TEXT_CHARS = 32_000;

/** Call one tool: its structured answer, or its text (cut at 32,000 characters). A tool's own error is an McpClientError with its text. */
export async function callAnnouncedTool(target: McpTarget, name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
  const result = await withMcpClient(target, signal, (client, options) => client.callTool({ name, arguments: args }, undefined, options));
  const content = Array.isArray(result.content) ? result.content as Array<{ type: string; text?: string; mimeType?: string }> : [];
  const text = content.map((c) => (c.type === 'text' ? c.text ?? '' : `[${c.type}${c.mimeType ? ` ${c.mimeType}` : ''}]`)).join('\n');
  if (result.isError) throw new McpClientError(`The tool answered an error: ${text.slice(0, 2_000) || '(no message)'}`, false);
  if (result.structuredContent && typeof result.structuredContent === 'object') {
    const json = JSON.stringify(result.structuredContent);
    return json.length > MAX_TEXT_CHARS ? { text: json.slice(0, MAX_TEXT_CHARS), isTruncated: true } : result.structuredContent;
  }
  return text.length > MAX_TEXT_CHARS ? { text: text.slice(0, MAX_TEXT_CHARS), isTruncated: true } : { text };
}
