import { Type } from '@fastify/type-provider-typebox';
import { SecretName } from '../secrets/index.ts';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
export const ProviderName = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'Lower case, used in model names as `<provider>/<model>`' });
export const ProviderKind = Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('openai_compatible')], { description: 'openai_compatible: Ollama, vLLM, LM Studio, Azure OpenAI (v1 API), OpenRouter, LiteLLM…' });
const BaseUrl = Type.String({ minLength: 8, maxLength: 2048, description: 'Default for openai: https://api.openai.com/v1, anthropic: https://api.anthropic.com' });
const TimeoutMs = Type.Integer({ minimum: 1000, maximum: 600_000, description: 'Wait for the provider\'s first byte, and between two streamed chunks' });
export const ModelId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s]+$' });
const PerMtok = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'USD micro-units per million tokens ($0.15 / 1M tokens = 150000)' });

export const ProviderSchema = Type.Object({
  id: Uuid, name: Type.String(), kind: Type.String(), baseUrl: Type.String(), owner: Type.Union([Type.Literal('workspace'), Type.Literal('platform')]),
  secretName: Type.Union([Type.String(), Type.Null()], { description: 'The vault secret holding the key (never the key)' }), hasKey: Type.Boolean(),
  timeoutMs: Type.Integer(), isEnabled: Type.Boolean(), createdAt: Timestamp, updatedAt: Timestamp,
});

export const CreateProviderBody = Type.Object({
  name: ProviderName, kind: ProviderKind, baseUrl: Type.Optional(Type.Union([BaseUrl, Type.Null()])),
  secretName: Type.Optional(Type.Union([SecretName, Type.Null()])), timeoutMs: Type.Optional(TimeoutMs), isEnabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export const UpdateProviderBody = Type.Partial(CreateProviderBody, { additionalProperties: false, minProperties: 1 });

export const CreatePlatformProviderBody = Type.Object({
  name: ProviderName, kind: ProviderKind, baseUrl: Type.Optional(Type.Union([BaseUrl, Type.Null()])),
  apiKey: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), Type.Null()], { description: 'Write-only: sealed at once, never returned' })),
  timeoutMs: Type.Optional(TimeoutMs), isEnabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export const UpdatePlatformProviderBody = Type.Partial(CreatePlatformProviderBody, { additionalProperties: false, minProperties: 1 });

export const ProviderTestSchema = Type.Object({
  isOk: Type.Boolean(), latencyMs: Type.Integer(), modelCount: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});

export const AliasName = Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,39}$', description: 'e.g. fast, smart, embed' });
export const AliasSchema = Type.Object({
  name: Type.String(),
  targets: Type.Array(Type.Object({ providerId: Uuid, model: Type.String(), providerName: Type.Union([Type.String(), Type.Null()]) })),
  timeoutMs: Type.Union([Type.Integer(), Type.Null()]), updatedAt: Timestamp,
});
export const PutAliasBody = Type.Object({
  targets: Type.Array(Type.Object({ providerId: Uuid, model: ModelId }, { additionalProperties: false }), { minItems: 1, maxItems: 5, description: 'Tried in order: the next on 429, 5xx, timeout or network failure' }),
  timeoutMs: Type.Optional(Type.Union([TimeoutMs, Type.Null()])),
}, { additionalProperties: false });

export const PriceSchema = Type.Object({
  id: Uuid, model: Type.String(), effectiveFrom: Timestamp, currency: Type.String(), source: Type.String({ description: 'catalogue (shipped), admin (a platform admin\'s version), workspace (this workspace\'s override)' }),
  inputPerMtok: Type.Integer(), outputPerMtok: Type.Integer(), cachedInputPerMtok: Type.Union([Type.Integer(), Type.Null()]), cacheWritePerMtok: Type.Union([Type.Integer(), Type.Null()]),
});
export const PriceBody = Type.Object({
  model: ModelId, effectiveFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
  inputPerMtok: PerMtok, outputPerMtok: PerMtok, cachedInputPerMtok: Type.Optional(Type.Union([PerMtok, Type.Null()])), cacheWritePerMtok: Type.Optional(Type.Union([PerMtok, Type.Null()])),
}, { additionalProperties: false });
