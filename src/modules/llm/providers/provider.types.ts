// What a provider adapter does: chat (whole or streamed), embeddings, list models, for one
// resolved target (a provider connection and a model name).
import type { TokenCounts } from '../../usage/index.ts';
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingsRequest, EmbeddingsResponse } from '../llm.types.ts';

export type ProviderKind = 'openai' | 'anthropic' | 'openai_compatible';

export type Target = {
  providerId: string;
  providerName: string;
  /** 'platform': the operator's provider, metered to the workspace like its own. */
  owner: 'workspace' | 'platform';
  kind: ProviderKind;
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
  isPrivateAllowed: boolean;
  model: string;
};

/** A streamed chunk, with the usage when this chunk reported it. */
export type StreamPart = { chunk: ChatChunk | null; usage?: TokenCounts };

export type ProviderAdapter = {
  chat(t: Target, req: ChatRequest, signal?: AbortSignal): Promise<{ response: ChatCompletion; usage: TokenCounts | null }>;
  /** Resolves once the provider accepted the call (status 200), so a failure before that can fall back. */
  chatStream(t: Target, req: ChatRequest, signal?: AbortSignal): Promise<AsyncIterable<StreamPart>>;
  embeddings(t: Target, req: EmbeddingsRequest, signal?: AbortSignal): Promise<{ response: EmbeddingsResponse; usage: TokenCounts | null }>;
  listModels(t: Target, signal?: AbortSignal): Promise<string[]>;
};

export const ZERO_TOKENS: TokenCounts = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
