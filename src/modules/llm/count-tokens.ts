// Token counts when a provider gives none (a stream cut by the client, a server that reports no
// usage): counted with gpt-tokenizer (o200k_base, OpenAI's current encoding; an estimate for
// other vendors' tokenizers), and the usage event is marked `estimated`.
import { countTokens } from 'gpt-tokenizer';
import type { ChatMessage, ChatRequest, EmbeddingsRequest } from './llm.types.ts';

/** Per-message framing tokens of the chat format (role and separators). */
const PER_MESSAGE = 4;
/** Beyond this many characters, count by bytes (an upper bound: a token is at least one byte) instead of running the tokenizer on the hot path. */
const TOKENIZE_MAX_CHARS = 64 * 1024;

/**
 * BPE is quadratic in the length of one pre-token: 64 K of `a` took 1.5 s, 32 K emoji 4.9 s, all
 * of it holding the event loop for every workspace. A run of more than this many characters
 * without whitespace is counted by its bytes (an upper bound) instead.
 */
const LONG_RUN_CHARS = 100;
const LONG_RUN = /\S{101,}/g;

export function countText(text: string): number {
  if (!text) return 0;
  if (text.length > TOKENIZE_MAX_CHARS) return Buffer.byteLength(text, 'utf8');
  let long = 0;
  const rest = text.length > LONG_RUN_CHARS ? text.replace(LONG_RUN, (run) => {
    long += Buffer.byteLength(run, 'utf8');
    return ' ';
  }) : text;
  return long + (rest.trim() ? countTokens(rest) : 0);
}

function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

/** Images count as a flat 1,000 tokens each in estimates (providers bill them by size). */
const IMAGE_TOKENS = 1000;

export function countPromptTokens(req: ChatRequest): number {
  let total = 3;
  const parts: string[] = [];
  for (const m of req.messages) {
    total += PER_MESSAGE;
    parts.push(contentText(m.content ?? null));
    if (Array.isArray(m.content)) total += m.content.filter((p) => p.type === 'image_url').length * IMAGE_TOKENS;
    for (const call of m.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
  }
  if (req.tools?.length) parts.push(JSON.stringify(req.tools));
  return total + countText(parts.join('\n'));
}

export function countEmbeddingInput(req: EmbeddingsRequest): number {
  const input = req.input;
  if (typeof input === 'string') return countText(input);
  if (!Array.isArray(input)) return 0;
  let total = 0;
  for (const item of input) {
    if (typeof item === 'string') total += countText(item);
    else if (typeof item === 'number') total += 1;
    else if (Array.isArray(item)) total += item.length;
  }
  return total;
}
