// Anthropic's Messages API behind the OpenAI-shaped contract: messages, system prompt, images,
// tools, tool calls and tool results, stop reasons and usage are translated both ways; the SSE
// event sequence (message_start … message_stop) becomes chat-completion chunks.
import type { TokenCounts } from '../../usage/index.ts';
import type { ChatChunk, ChatCompletion, ChatMessage, ChatRequest, ContentPart, FinishReason, ThinkingBlock, ToolCall } from '../llm.types.ts';
import { llmErrors } from '../llm.errors.ts';
import { UpstreamError, readJson, readSse, sendUpstream } from '../upstream.ts';
import type { ProviderAdapter, StreamPart, Target } from './provider.types.ts';

export const ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown> & { type: string };
type AnthropicMessage = { role: 'user' | 'assistant'; content: Block[] };
export type AnthropicUsage = { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

/** Anthropic counts cached and cache-written prompt tokens apart; the ledger's input is all of them (as OpenAI's prompt_tokens). */
export function tokensOfAnthropicUsage(u: AnthropicUsage | null | undefined): TokenCounts | null {
  if (!u || typeof u !== 'object') return null;
  const cached = num(u.cache_read_input_tokens);
  const written = num(u.cache_creation_input_tokens);
  return { inputTokens: num(u.input_tokens) + cached + written, outputTokens: num(u.output_tokens), cachedInputTokens: cached, cacheWriteTokens: written, reasoningTokens: 0 };
}

export function finishOfStopReason(reason: unknown): FinishReason | null {
  switch (reason) {
    case 'end_turn': case 'stop_sequence': case 'pause_turn': return 'stop';
    case 'max_tokens': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    default: return reason === null || reason === undefined ? null : 'stop';
  }
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function imageBlock(url: string): Block {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  return { type: 'image', source: { type: 'url', url } };
}

function blocksOf(content: ChatMessage['content']): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.map((p: ContentPart): Block => (p.type === 'image_url' ? imageBlock(p.image_url.url) : { type: 'text', text: p.text, ...(p.cache_control ? { cache_control: p.cache_control } : {}) }));
}

function parseArguments(raw: string, name: string): unknown {
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw llmErrors.create('LLM_REQUEST_INVALID', `The arguments of the tool call to "${name}" are not valid JSON`);
  }
}

/** The chat request as an Anthropic Messages request. */
export function toAnthropicRequest(req: ChatRequest, model: string, stream: boolean): Record<string, unknown> {
  const system: Block[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = messages[messages.length - 1];
    // Anthropic wants turns to alternate: consecutive messages of one role (several tool results) become one turn.
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(...blocksOf(m.content).filter((b) => b.type === 'text'));
    else if (m.role === 'user') push('user', blocksOf(m.content));
    else if (m.role === 'assistant') {
      // Thinking first, as Anthropic returned it (its signature checked by Anthropic on the way back).
      const blocks: Block[] = [...(m.thinking_blocks ?? []).map((b): Block => ({ ...b })), ...blocksOf(m.content ?? null)];
      for (const call of m.tool_calls ?? []) blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments, call.function.name) });
      push('assistant', blocks);
    } else if (m.role === 'tool') {
      // A cache breakpoint on the result's text marks the tool_result block (where Anthropic takes it).
      const cache = Array.isArray(m.content) ? m.content.find((p) => p.type === 'text' && p.cache_control) : undefined;
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: textOf(m.content), ...(cache && cache.type === 'text' ? { cache_control: cache.cache_control } : {}) }]);
    }
  }
  const out: Record<string, unknown> = { model, messages, max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS, stream };
  // Plain text unless a block carries a prompt-cache breakpoint: then the blocks, as Anthropic takes them.
  if (system.length) out.system = system.some((b) => b.cache_control) ? system : system.map((b) => String(b.text)).join('\n\n');
  if (req.temperature !== undefined) out.temperature = Math.min(1, req.temperature);
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.stop !== undefined) out.stop_sequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (req.tools?.length) out.tools = req.tools.map((t) => ({ name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), input_schema: t.function.parameters ?? { type: 'object', properties: {} }, ...(t.cache_control ? { cache_control: t.cache_control } : {}) }));
  if (req.tool_choice !== undefined && req.tools?.length) {
    const c = req.tool_choice;
    out.tool_choice = c === 'auto' ? { type: 'auto' } : c === 'required' ? { type: 'any' } : c === 'none' ? { type: 'none' } : { type: 'tool', name: c.function.name };
  }
  if (typeof req.user === 'string') out.metadata = { user_id: req.user.slice(0, 256) };
  if (isThinkingConfig(req.thinking)) out.thinking = req.thinking;
  return out;
}

/** Anthropic's `thinking` parameter ({type: 'enabled', budget_tokens} and its siblings), passed on as given. */
function isThinkingConfig(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { type?: unknown }).type === 'string';
}

export function thinkingBlocksOf(blocks: Block[]): ThinkingBlock[] {
  return blocks.flatMap((b): ThinkingBlock[] => (b.type === 'thinking' ? [{ type: 'thinking', thinking: String(b.thinking ?? ''), signature: String(b.signature ?? '') }]
    : b.type === 'redacted_thinking' ? [{ type: 'redacted_thinking', data: String(b.data ?? '') }] : []));
}

type AnthropicResponse = { id?: string; model?: string; content?: Block[]; stop_reason?: string | null; usage?: AnthropicUsage };

export function fromAnthropicResponse(body: AnthropicResponse, model: string): ChatCompletion {
  const blocks = Array.isArray(body.content) ? body.content : [];
  const text = blocks.filter((b) => b.type === 'text').map((b) => String(b.text ?? '')).join('');
  const calls: ToolCall[] = blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } }));
  const tokens = tokensOfAnthropicUsage(body.usage);
  const thinking = thinkingBlocksOf(blocks);
  const reasoning = thinking.map((b) => (b.type === 'thinking' ? b.thinking : '')).join('');
  return {
    id: String(body.id ?? `msg_${Date.now()}`), object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model ?? model,
    choices: [{ index: 0, message: {
      role: 'assistant', content: text || (calls.length ? null : ''), ...(calls.length ? { tool_calls: calls } : {}),
      ...(thinking.length ? { thinking_blocks: thinking, ...(reasoning ? { reasoning_content: reasoning } : {}) } : {}),
    }, finish_reason: finishOfStopReason(body.stop_reason), logprobs: null }],
    ...(tokens ? { usage: { prompt_tokens: tokens.inputTokens, completion_tokens: tokens.outputTokens, total_tokens: tokens.inputTokens + tokens.outputTokens, prompt_tokens_details: { cached_tokens: tokens.cachedInputTokens } } } : {}),
  };
}

function headersOf(t: Target): Record<string, string> {
  return { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...(t.apiKey ? { 'x-api-key': t.apiKey } : {}) };
}

const url = (t: Target, path: string) => `${t.baseUrl.replace(/\/+$/, '')}${path}`;

export const anthropicAdapter: ProviderAdapter = {
  async chat(t, req, signal) {
    const res = await sendUpstream({ url: url(t, '/v1/messages'), method: 'POST', headers: headersOf(t), body: JSON.stringify(toAnthropicRequest(req, t.model, false)), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    const body = await readJson(res, t.timeoutMs) as AnthropicResponse;
    if (!body || typeof body !== 'object' || !Array.isArray(body.content)) throw new UpstreamError('http', 'The provider\'s answer is not a message', { status: 502 });
    return { response: fromAnthropicResponse(body, t.model), usage: tokensOfAnthropicUsage(body.usage) };
  },

  async chatStream(t, req, signal) {
    const res = await sendUpstream({ url: url(t, '/v1/messages'), method: 'POST', headers: { ...headersOf(t), accept: 'text/event-stream' }, body: JSON.stringify(toAnthropicRequest(req, t.model, true)), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    return (async function* parts(): AsyncGenerator<StreamPart> {
      let id = `msg_${Date.now()}`;
      let model = t.model;
      const created = Math.floor(Date.now() / 1000);
      let usage: AnthropicUsage = {};
      // Anthropic numbers content blocks; OpenAI numbers tool calls: map one to the other.
      const toolIndex = new Map<number, number>();
      const chunk = (delta: ChatChunk['choices'][number]['delta'], finish: FinishReason | null = null): ChatChunk => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
      for await (const e of readSse(res.body, t.timeoutMs)) {
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(e.data) as Record<string, unknown>;
        } catch {
          continue;
        }
        const type = data.type ?? e.event;
        if (type === 'message_start') {
          const message = (data.message ?? {}) as { id?: string; model?: string; usage?: AnthropicUsage };
          id = message.id ?? id;
          model = message.model ?? model;
          usage = { ...message.usage };
          yield { chunk: chunk({ role: 'assistant', content: '' }) };
        } else if (type === 'content_block_start') {
          const block = (data.content_block ?? {}) as Block;
          if (block.type === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(num(data.index), index);
            yield { chunk: chunk({ tool_calls: [{ index, id: String(block.id), type: 'function', function: { name: String(block.name), arguments: '' } }] }) };
          } else if (block.type === 'text' && typeof block.text === 'string' && block.text) {
            yield { chunk: chunk({ content: block.text }) };
          } else if (block.type === 'thinking') {
            yield { chunk: chunk({ thinking: { type: 'start', text: String(block.thinking ?? '') } }) };
          } else if (block.type === 'redacted_thinking') {
            yield { chunk: chunk({ thinking: { type: 'redacted_thinking', text: String(block.data ?? '') } }) };
          }
        } else if (type === 'content_block_delta') {
          const delta = (data.delta ?? {}) as { type?: string; text?: string; partial_json?: string; thinking?: string; signature?: string };
          if (delta.type === 'text_delta' && delta.text) yield { chunk: chunk({ content: delta.text }) };
          else if (delta.type === 'thinking_delta' && delta.thinking) yield { chunk: chunk({ thinking: { type: 'thinking', text: delta.thinking } }) };
          else if (delta.type === 'signature_delta' && delta.signature) yield { chunk: chunk({ thinking: { type: 'signature', text: delta.signature } }) };
          else if (delta.type === 'input_json_delta' && delta.partial_json) {
            const index = toolIndex.get(num(data.index)) ?? 0;
            yield { chunk: chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] }) };
          }
        } else if (type === 'message_delta') {
          const delta = (data.delta ?? {}) as { stop_reason?: string | null };
          usage = { ...usage, ...(data.usage as AnthropicUsage | undefined) };
          yield { chunk: chunk({}, finishOfStopReason(delta.stop_reason) ?? 'stop'), usage: tokensOfAnthropicUsage(usage) ?? undefined };
        } else if (type === 'error') {
          const err = (data.error ?? {}) as { type?: string; message?: string };
          throw new UpstreamError('http', `The provider reported an error mid-stream: ${err.message ?? err.type ?? 'unknown'}`, { status: err.type === 'overloaded_error' ? 529 : 502 });
        }
      }
    })();
  },

  async embeddings() {
    throw llmErrors.create('OPERATION_UNSUPPORTED', 'Anthropic has no embeddings API: use an OpenAI or OpenAI-compatible provider for embeddings');
  },

  async listModels(t, signal) {
    const res = await sendUpstream({ url: url(t, '/v1/models?limit=1000'), method: 'GET', headers: headersOf(t), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    const body = await readJson(res, t.timeoutMs, 4 * 1024 * 1024) as { data?: Array<{ id?: unknown }> };
    return (Array.isArray(body?.data) ? body.data : []).map((m) => m.id).filter((id): id is string => typeof id === 'string').sort();
  },
};
