import type { ProviderAdapter, ProviderKind } from './provider.types.ts';
import { openAiAdapter } from './openai.ts';
import { anthropicAdapter } from './anthropic.ts';

export const ADAPTERS: Record<ProviderKind, ProviderAdapter> = { openai: openAiAdapter, openai_compatible: openAiAdapter, anthropic: anthropicAdapter };

/** The vendor's public API when a provider names none. */
export const DEFAULT_BASE_URL: Partial<Record<ProviderKind, string>> = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' };
