// A model provider for tests and benchmarks: no LLM can be reached here, so this server speaks
// the real wire protocols over HTTP — OpenAI chat completions (JSON, SSE chunks, the usage chunk,
// tool calls), embeddings and models, and Anthropic messages (JSON and the SSE event sequence) —
// and the official client libraries drive the gateway against it. Behaviour by model name:
//   *rate-limited* → 429 with retry-after · *broken* → 500 · *slow* → 1.5 s before answering
//   *stall* → a stream that sends one chunk and then nothing · *no-usage* → no usage reported
//   *long* → a 200-chunk stream, 5 ms apart · otherwise an echo of the last user message
//   (with tools and a user turn last: a call to the first tool; after a tool result: its echo).
//   A user turn `call <tool> <json>` calls that tool with those arguments (OpenAI wire).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type FakeRequest = { path: string; headers: IncomingMessage['headers']; body: Record<string, unknown>; /** From arrival to the answer's last byte (benches subtract it). */ ms?: number };
export type FakeLlm = { url: string; requests: FakeRequest[]; openStreams: () => number; close: () => Promise<void> };

type Msg = { role: string; content?: unknown; tool_calls?: unknown[] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { type?: string; text?: string; content?: unknown }) => (p.type === 'text' ? p.text ?? '' : p.type === 'tool_result' ? textOf(p.content) : '')).join('');
  return '';
}

/** Deterministic token counts: a token per 4 characters, at least 1. */
export const fakeTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function answerOf(messages: Msg[], hasTools: boolean): { text: string; tool: boolean } {
  const last = messages[messages.length - 1];
  if (last?.role === 'tool' || (Array.isArray(last?.content) && (last.content as Array<{ type?: string }>).some((b) => b.type === 'tool_result'))) return { text: `Tool said: ${textOf(last.content)}`, tool: false };
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  if (hasTools && last?.role === 'user') return { text: textOf(lastUser?.content), tool: true };
  return { text: `Echo: ${textOf(lastUser?.content)}`, tool: false };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function vendorError(res: ServerResponse, anthropic: boolean, status: number, message: string, headers: Record<string, string> = {}) {
  if (anthropic) return json(res, status, { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : 'api_error', message } }, headers);
  return json(res, status, { error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', code: null } }, headers);
}

// A tiny meaning for the fake embeddings: words of one concept share a dimension (so "bill"
// is near "invoice" while sharing no letters), other words hash into the remaining ones.
const CONCEPTS: Record<string, number> = {
  invoice: 0, invoices: 0, bill: 0, bills: 0, billing: 0, payment: 0, pay: 0,
  support: 1, help: 1, helpdesk: 1, hours: 1, open: 1,
  euro: 2, euros: 2, currency: 2, money: 2, dollars: 2,
};
function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const concept = CONCEPTS[word];
    if (concept !== undefined) v[concept] += 1;
    else v[3 + ([...word].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1009, 7) % 5)] += 0.2;
  }
  const norm = Math.sqrt(v.reduce((n, x) => n + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export async function startFakeLlm(options: { apiKey?: string } = {}): Promise<FakeLlm> {
  const requests: FakeRequest[] = [];
  let streams = 0;
  const server: Server = createServer(async (req, res) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try { body = raw ? JSON.parse(raw) as Record<string, unknown> : {}; } catch { return json(res, 400, { error: { message: 'bad json' } }); }
    const path = (req.url ?? '/').split('?')[0];
    const record: FakeRequest = { path, headers: req.headers, body };
    requests.push(record);
    res.on('finish', () => { record.ms = performance.now() - arrived; });
    const isAnthropic = path.startsWith('/anthropic');
    if (options.apiKey) {
      const given = isAnthropic ? req.headers['x-api-key'] : (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (given !== options.apiKey) return vendorError(res, isAnthropic, 401, 'Incorrect API key provided');
    }
    const model = String(body.model ?? '');
    if (model.includes('rate-limited')) return vendorError(res, isAnthropic, 429, 'Rate limit reached', { 'retry-after': '1' });
    if (model.includes('broken')) return vendorError(res, isAnthropic, 500, 'The server had an error');
    if (model.includes('slow')) await sleep(1500);

    if (req.method === 'GET' && (path === '/openai/v1/models' || path === '/anthropic/v1/models')) {
      return json(res, 200, { object: 'list', data: ['fake-echo', 'gpt-4o-mini', 'claude-haiku-4-5'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) });
    }
    if (req.method === 'POST' && path === '/openai/v1/embeddings') {
      const inputs = Array.isArray(body.input) ? body.input as unknown[] : [body.input];
      // An input the model cannot take (as a real one refuses a text past its context): the whole request is refused.
      if (inputs.some((t) => String(t).includes('FAKE_REFUSE_EMBEDDING'))) return vendorError(res, false, 400, 'This input cannot be embedded');
      // `…-dim<N>`: vectors of N dimensions (the fake's meaning in the first 8, zeros after), as real models give.
      const dims = Number(/-dim(\d{1,4})\b/.exec(model)?.[1] ?? 8);
      const data = inputs.map((t, index) => ({ object: 'embedding', index, embedding: [...fakeEmbedding(String(t)), ...new Array<number>(Math.max(0, dims - 8)).fill(0)] }));
      const tokens = inputs.reduce<number>((n, t) => n + fakeTokens(String(t)), 0);
      return json(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    }
    const messages = (body.messages ?? []) as Msg[];
    const tools = (body.tools ?? []) as Array<{ name?: string; function?: { name: string } }>;
    const prompt = fakeTokens(JSON.stringify(messages) + (typeof body.system === 'string' ? body.system : ''));
    const { text, tool } = answerOf(messages, tools.length > 0);
    const isNoUsage = model.includes('no-usage');
    // `…-delay<ms>`: the model thinks that long before its first token (benches of a realistic turn).
    const delay = Number(/-delay(\d{1,5})\b/.exec(model)?.[1] ?? 0);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const pieces = model.includes('long') ? Array.from({ length: 200 }, (_, i) => `w${i} `) : (text.match(/\S+\s*/g) ?? ['']);
    const directed = tool ? /^call (\S+) (\{.*\})$/s.exec(text) : null;
    const output = directed ? directed[2] : tool ? JSON.stringify({ query: text }) : pieces.join('');
    const completion = fakeTokens(output);

    if (req.method === 'POST' && path === '/openai/v1/chat/completions') {
      const id = `chatcmpl-fake${requests.length}`;
      const toolName = directed?.[1] ?? tools[0]?.function?.name ?? 'tool';
      const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: 0 } };
      if (!body.stream) {
        return json(res, 200, {
          id, object: 'chat.completion', created: 1, model, system_fingerprint: 'fp_fake',
          choices: [{ index: 0, message: tool ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: toolName, arguments: output } }] } : { role: 'assistant', content: output }, finish_reason: tool ? 'tool_calls' : 'stop', logprobs: null }],
          ...(isNoUsage ? {} : { usage }),
        });
      }
      streams++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      const chunk = (delta: unknown, finish: string | null = null) => ({ id, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] });
      let isClosed = false;
      res.on('close', () => { isClosed = true; });
      try {
        send(chunk({ role: 'assistant', content: '' }));
        if (model.includes('stall')) {
          send(chunk({ content: 'Hello' }));
          while (!isClosed) await sleep(50);
          return;
        }
        if (tool) {
          send(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: toolName, arguments: '' } }] }));
          for (const part of output.match(/.{1,8}/g) ?? []) send(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
        } else {
          for (const p of pieces) {
            if (isClosed) return;
            send(chunk({ content: p }));
            if (model.includes('long')) await sleep(5);
          }
        }
        send(chunk({}, tool ? 'tool_calls' : 'stop'));
        const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
        if (includeUsage && !isNoUsage) send({ id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage });
        res.write('data: [DONE]\n\n');
        res.end();
      } finally {
        streams--;
      }
      return;
    }

    if (req.method === 'POST' && path === '/anthropic/v1/messages') {
      const id = `msg_fake${requests.length}`;
      const toolName = tools[0]?.name ?? 'tool';
      const usage = { input_tokens: prompt, output_tokens: completion, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
      // With extended thinking asked for, a thinking block (signed) comes first, as Anthropic sends it.
      const isThinking = (body.thinking as { type?: string } | undefined)?.type === 'enabled';
      const thought = { type: 'thinking', thinking: `Thinking about: ${text.replace(/^Echo: /, '')}`, signature: `sig-${requests.length}` };
      const content = [...(isThinking ? [thought] : []), ...(tool ? [{ type: 'tool_use', id: 'toolu_1', name: toolName, input: { query: text } }] : [{ type: 'text', text: output }])];
      if (!body.stream) return json(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null, usage: isNoUsage ? undefined : usage });
      streams++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let isClosed = false;
      res.on('close', () => { isClosed = true; });
      try {
        ev('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: prompt, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } });
        ev('ping', { type: 'ping' });
        const at = isThinking ? 1 : 0;
        if (isThinking) {
          ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
          for (const part of thought.thinking.match(/.{1,8}/g) ?? []) ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: part } });
          ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: thought.signature } });
          ev('content_block_stop', { type: 'content_block_stop', index: 0 });
        }
        if (tool) {
          ev('content_block_start', { type: 'content_block_start', index: at, content_block: { type: 'tool_use', id: 'toolu_1', name: toolName, input: {} } });
          for (const part of output.match(/.{1,8}/g) ?? []) ev('content_block_delta', { type: 'content_block_delta', index: at, delta: { type: 'input_json_delta', partial_json: part } });
        } else {
          ev('content_block_start', { type: 'content_block_start', index: at, content_block: { type: 'text', text: '' } });
          if (model.includes('stall')) {
            ev('content_block_delta', { type: 'content_block_delta', index: at, delta: { type: 'text_delta', text: 'Hello' } });
            while (!isClosed) await sleep(50);
            return;
          }
          for (const p of pieces) {
            if (isClosed) return;
            ev('content_block_delta', { type: 'content_block_delta', index: at, delta: { type: 'text_delta', text: p } });
            if (model.includes('long')) await sleep(5);
          }
        }
        ev('content_block_stop', { type: 'content_block_stop', index: at });
        ev('message_delta', { type: 'message_delta', delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: isNoUsage ? {} : { output_tokens: completion } });
        ev('message_stop', { type: 'message_stop' });
        res.end();
      } finally {
        streams--;
      }
      return;
    }
    json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openStreams: () => streams,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Connect a workspace to the fake as its provider `fake` (OpenAI wire): the key in its vault as
 * FAKE_KEY, private addresses allowed (the fake listens on loopback). Throws on any refusal.
 */
export async function connectFakeProvider(baseUrl: string | undefined, tokens: { owner: string; admin: string }, fake: FakeLlm, key: string): Promise<void> {
  const steps: Array<[string, string, string, unknown]> = [
    [tokens.owner, 'PUT', '/secrets/FAKE_KEY', { value: key }],
    [tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } }],
    [tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' }],
  ];
  if (!baseUrl) throw new Error('connectFakeProvider: start the platform with { listen: true }');
  for (const [token, method, path, body] of steps) {
    const res = await fetch(`${baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }
}
