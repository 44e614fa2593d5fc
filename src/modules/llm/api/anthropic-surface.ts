// The Anthropic Messages API at the edge: its requests become the gateway's chat requests, and
// the answers (whole or streamed) become Anthropic messages and SSE events again, whatever
// vendor answered. The official @anthropic-ai/sdk works against it unchanged.
import type { UsageRecord } from '../llm.types.ts';
import type { CacheControl, ChatChunk, ChatCompletion, ChatMessage, ChatRequest, ContentPart, FinishReason, ToolChoice } from '../llm.types.ts';
import { llmErrors } from '../llm.errors.ts';
import { thinkingBlocksOf } from '../providers/anthropic.ts';

type Block = { type: string; [k: string]: unknown };
export type AnthropicRequest = {
  model: string; max_tokens: number; messages: Array<{ role: 'user' | 'assistant'; content: string | Block[] }>;
  system?: string | Block[]; stop_sequences?: string[]; temperature?: number; top_p?: number; top_k?: number; stream?: boolean;
  tools?: Array<{ name: string; description?: string; input_schema?: Record<string, unknown>; type?: string; cache_control?: CacheControl }>;
  tool_choice?: { type: 'auto' | 'any' | 'tool' | 'none'; name?: string };
  metadata?: { user_id?: string };
  thinking?: { type: string; budget_tokens?: number };
};

function textOfBlocks(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[]).filter((b) => b.type === 'text').map((b) => String(b.text ?? '')).join('');
}

function imagePart(b: Block): ContentPart {
  const source = (b.source ?? {}) as { type?: string; media_type?: string; data?: string; url?: string };
  if (source.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type ?? 'image/png'};base64,${source.data ?? ''}` } };
  return { type: 'image_url', image_url: { url: String(source.url ?? '') } };
}

/** A block's prompt-cache breakpoint ({type: 'ephemeral', ttl}), kept for the provider; anything else in it dropped. */
function cacheOf(b: Block): { cache_control?: CacheControl } {
  const c = b.cache_control as { type?: unknown; ttl?: unknown } | undefined;
  if (!c || typeof c !== 'object' || c.type !== 'ephemeral') return {};
  return { cache_control: { type: 'ephemeral', ...(typeof c.ttl === 'string' && c.ttl.length <= 10 ? { ttl: c.ttl } : {}) } };
}

/** Text parts, joined into a string unless one carries a cache breakpoint (which must reach the provider). */
function textContent(parts: ContentPart[], separator = ''): string | ContentPart[] {
  return parts.every((p) => p.type === 'text' && !p.cache_control) ? parts.map((p) => (p as { text: string }).text).join(separator) : parts;
}

export function fromAnthropicRequest(body: AnthropicRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = typeof body.system === 'string' || body.system === undefined
    ? body.system ?? ''
    : textContent(body.system.filter((b) => b.type === 'text').map((b): ContentPart => ({ type: 'text', text: String(b.text ?? ''), ...cacheOf(b) })), '\n\n');
  if (system.length) messages.push({ role: 'system', content: system });
  for (const m of body.messages) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (m.role === 'assistant') {
      const text = blocks.filter((b) => b.type === 'text').map((b) => String(b.text ?? '')).join('');
      const calls = blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: String(b.id ?? ''), type: 'function' as const, function: { name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) } }));
      const thinking = thinkingBlocksOf(blocks);
      messages.push({ role: 'assistant', content: text || (calls.length ? null : ''), ...(calls.length ? { tool_calls: calls } : {}), ...(thinking.length ? { thinking_blocks: thinking } : {}) });
      continue;
    }
    // Tool results answer the previous assistant turn's calls: they come first, as tool messages.
    for (const b of blocks.filter((x) => x.type === 'tool_result')) {
      const text = typeof b.content === 'string' ? b.content : textOfBlocks(b.content);
      const content = b.is_error === true ? `Error: ${text}` : text;
      messages.push({ role: 'tool', tool_call_id: String(b.tool_use_id ?? ''), content: b.cache_control ? [{ type: 'text', text: content, ...cacheOf(b) }] : content });
    }
    const parts: ContentPart[] = blocks.flatMap((b): ContentPart[] => (b.type === 'text' ? [{ type: 'text', text: String(b.text ?? ''), ...cacheOf(b) }] : b.type === 'image' ? [imagePart(b)] : []));
    if (parts.length) messages.push({ role: 'user', content: textContent(parts) });
  }
  const req: ChatRequest = { model: body.model, messages, max_tokens: body.max_tokens };
  if (body.temperature !== undefined) req.temperature = body.temperature;
  if (body.top_p !== undefined) req.top_p = body.top_p;
  if (body.stop_sequences?.length) req.stop = body.stop_sequences;
  if (body.metadata?.user_id) req.user = body.metadata.user_id;
  if (body.thinking) req.thinking = body.thinking;
  if (body.tools?.length) {
    req.tools = body.tools.map((t) => {
      if (t.type && t.type !== 'custom') throw llmErrors.create('LLM_REQUEST_INVALID', `Server tool "${t.type}" is not supported through the gateway; declare tools with an input_schema`);
      return { type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema ?? { type: 'object', properties: {} } }, ...cacheOf(t as unknown as Block) };
    });
  }
  if (body.tool_choice) {
    const c = body.tool_choice;
    const choice: ToolChoice = c.type === 'any' ? 'required' : c.type === 'none' ? 'none' : c.type === 'tool' ? { type: 'function', function: { name: String(c.name ?? '') } } : 'auto';
    req.tool_choice = choice;
  }
  return req;
}

const STOP: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

function parseInput(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
}

function anthropicUsage(u: { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteTokens: number }) {
  return { input_tokens: Math.max(0, u.inputTokens - u.cachedInputTokens - u.cacheWriteTokens), output_tokens: u.outputTokens, cache_read_input_tokens: u.cachedInputTokens, cache_creation_input_tokens: u.cacheWriteTokens };
}

export function toAnthropicMessage(c: ChatCompletion, usage: UsageRecord, model: string) {
  const choice = c.choices[0];
  const content: Block[] = (choice?.message.thinking_blocks ?? []).map((b): Block => ({ ...b }));
  if (choice?.message.content) content.push({ type: 'text', text: choice.message.content });
  for (const call of choice?.message.tool_calls ?? []) content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseInput(call.function.arguments) });
  return {
    id: c.id.startsWith('msg_') ? c.id : `msg_${c.id}`, type: 'message', role: 'assistant', model,
    content, stop_reason: choice?.finish_reason ? STOP[choice.finish_reason] : 'end_turn', stop_sequence: null,
    usage: anthropicUsage(usage),
  };
}

type SseWrite = (event: string, data: unknown) => void;

/** Turns the gateway's chunks into Anthropic's event sequence; `finish` closes the message with its usage. */
export function anthropicStreamWriter(write: SseWrite, model: string, promptTokens: number) {
  let isStarted = false;
  let blockIndex = -1;
  let open: 'text' | 'tool' | 'thinking' | null = null;
  const toolBlocks = new Map<number, number>();
  let stopReason = 'end_turn';
  const id = `msg_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

  function start() {
    if (isStarted) return;
    isStarted = true;
    write('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: promptTokens, output_tokens: 0 } } });
  }
  function close() {
    if (open === null) return;
    write('content_block_stop', { type: 'content_block_stop', index: blockIndex });
    open = null;
  }
  return {
    chunk(c: ChatChunk) {
      start();
      const choice = c.choices[0];
      if (!choice) return;
      const delta = choice.delta ?? {};
      const thinking = delta.thinking;
      if (thinking) {
        if (thinking.type === 'redacted_thinking') {
          close();
          blockIndex++;
          write('content_block_start', { type: 'content_block_start', index: blockIndex, content_block: { type: 'redacted_thinking', data: thinking.text } });
          write('content_block_stop', { type: 'content_block_stop', index: blockIndex });
        } else {
          if (thinking.type === 'start' || open !== 'thinking') {
            close();
            blockIndex++;
            open = 'thinking';
            write('content_block_start', { type: 'content_block_start', index: blockIndex, content_block: { type: 'thinking', thinking: '', signature: '' } });
          }
          if (thinking.type === 'signature') write('content_block_delta', { type: 'content_block_delta', index: blockIndex, delta: { type: 'signature_delta', signature: thinking.text } });
          else if (thinking.text) write('content_block_delta', { type: 'content_block_delta', index: blockIndex, delta: { type: 'thinking_delta', thinking: thinking.text } });
        }
      }
      if (delta.content) {
        if (open !== 'text') {
          close();
          blockIndex++;
          open = 'text';
          write('content_block_start', { type: 'content_block_start', index: blockIndex, content_block: { type: 'text', text: '' } });
        }
        write('content_block_delta', { type: 'content_block_delta', index: blockIndex, delta: { type: 'text_delta', text: delta.content } });
      }
      for (const call of delta.tool_calls ?? []) {
        if (!toolBlocks.has(call.index)) {
          close();
          blockIndex++;
          open = 'tool';
          toolBlocks.set(call.index, blockIndex);
          write('content_block_start', { type: 'content_block_start', index: blockIndex, content_block: { type: 'tool_use', id: call.id ?? `toolu_${blockIndex}`, name: call.function?.name ?? '', input: {} } });
        }
        if (call.function?.arguments) write('content_block_delta', { type: 'content_block_delta', index: toolBlocks.get(call.index), delta: { type: 'input_json_delta', partial_json: call.function.arguments } });
      }
      if (choice.finish_reason) stopReason = STOP[choice.finish_reason] ?? 'end_turn';
    },
    finish(usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteTokens: number }) {
      start();
      close();
      write('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: anthropicUsage(usage) });
      write('message_stop', { type: 'message_stop' });
    },
  };
}
