// The gateway's contract. Requests and answers are in the OpenAI chat-completions shape (the
// lingua franca every provider adapter translates to and from, as LiteLLM does); the Anthropic
// API surface translates to it at the edge. Agents and workflow steps call the door
// (`llm.complete` / `llm.stream`) with a principal and an optional agent id, and get the answer
// and a UsageRecord: the call's usage event as the ledger recorded it.

/** Anthropic's prompt-cache breakpoint (OpenRouter and LiteLLM take it in the OpenAI format too). */
export type CacheControl = { type: 'ephemeral'; ttl?: string };

export type ContentPart =
  | { type: 'text'; text: string; cache_control?: CacheControl }
  | { type: 'image_url'; image_url: { url: string; detail?: string } };

/** Anthropic's extended thinking, carried as it came: a signature must go back unchanged with the next turn. */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string } | { type: 'redacted_thinking'; data: string };

export type ToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };
export type ToolDefinition = { type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> }; cache_control?: CacheControl };

export type ChatMessage = {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** An assistant turn's thinking (Anthropic), to send back as it came. */
  thinking_blocks?: ThinkingBlock[];
};

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type ChatRequest = {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  user?: string;
  /** Other OpenAI parameters (response_format, seed, …): passed to OpenAI-compatible providers as they are. */
  [parameter: string]: unknown;
};

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export type OpenAiUsage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
};

export type ChatCompletion = {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; refusal?: null; thinking_blocks?: ThinkingBlock[]; reasoning_content?: string }; finish_reason: FinishReason | null; logprobs: null }>;
  usage?: OpenAiUsage;
};

/** A streamed piece of thinking: a block's start, its text, its signature, or a redacted block whole. */
export type ThinkingDelta = { type: 'start' | 'thinking' | 'signature' | 'redacted_thinking'; text: string };

export type ChunkToolCall = { index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } };

export type ChatChunk = {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: number; delta: { role?: 'assistant'; content?: string | null; tool_calls?: ChunkToolCall[]; thinking?: ThinkingDelta }; finish_reason: FinishReason | null; logprobs?: null }>;
  usage?: OpenAiUsage | null;
};

export type EmbeddingsRequest = { model: string; input: string | string[] | number[] | number[][]; encoding_format?: 'float' | 'base64'; dimensions?: number; user?: string };
export type EmbeddingsResponse = { object: 'list'; data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>; model: string; usage: { prompt_tokens: number; total_tokens: number } };

/** Who is calling: the workspace always, the user or the API key, and the agent when an agent runs the call. */
export type CallPrincipal = { workspaceId: string; userId: string | null; apiKeyId: string | null; agentId?: string | null };

export type CallInput<R> = {
  principal: CallPrincipal;
  request: R;
  /** The HTTP request id (or the agent run's), carried to the usage event and every log line. */
  requestId?: string | null;
  /** Which API surface the call came through (the door's callers: 'internal'). */
  apiFormat?: 'openai' | 'anthropic' | 'internal';
  signal?: AbortSignal;
};

/** The usage of one call as recorded (the usage event). Costs in USD micro-units; null cost = unpriced. */
export type UsageRecord = {
  eventId: string;
  requestId: string | null;
  model: string;
  provider: string | null;
  resolvedModel: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costMicros: number | null;
  currency: 'USD';
  pricing: 'priced' | 'unpriced';
  usageSource: 'provider' | 'estimated' | 'none';
  status: 'ok' | 'error' | 'client_closed' | 'refused';
  isStreamed: boolean;
  providerLatencyMs: number | null;
  overheadMs: number | null;
};

/** A streamed answer: iterate the chunks; `usage` settles once the stream ended (or was cut). */
/**
 * A streamed call. `usage` resolves once the call's usage event is durable; `metered` resolves
 * with the same record as soon as it is priced (before the write), for a caller that commits
 * work of its own meanwhile and then awaits `usage`. Both reject if the call could not be metered.
 */
export type ChatStream = AsyncIterable<ChatChunk> & { model: string; usage: Promise<UsageRecord>; metered: Promise<UsageRecord>; abort(): void };
