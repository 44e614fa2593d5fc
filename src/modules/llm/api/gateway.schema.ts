// Request schemas of the vendor-compatible surfaces. Strict where the gateway reads a field
// (sizes, ranges, shapes), open elsewhere: other OpenAI parameters pass through to OpenAI-
// compatible providers as they are.
import { Type } from '@fastify/type-provider-typebox';

const Text = Type.String({ maxLength: 4_000_000 });
const ToolName = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const JsonObject = Type.Object({}, { additionalProperties: true });

const ContentPart = Type.Union([
  Type.Object({ type: Type.Literal('text'), text: Text }, { additionalProperties: true }),
  Type.Object({ type: Type.Literal('image_url'), image_url: Type.Object({ url: Type.String({ minLength: 1, maxLength: 20_000_000 }), detail: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: true }) }, { additionalProperties: true }),
]);

const ToolCall = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  type: Type.Literal('function'),
  function: Type.Object({ name: ToolName, arguments: Type.String({ maxLength: 1_000_000 }) }),
}, { additionalProperties: true });

const Message = Type.Object({
  role: Type.Union(['system', 'developer', 'user', 'assistant', 'tool'].map((r) => Type.Literal(r))),
  content: Type.Optional(Type.Union([Text, Type.Null(), Type.Array(ContentPart, { maxItems: 500 })])),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  tool_calls: Type.Optional(Type.Array(ToolCall, { maxItems: 128 })),
  tool_call_id: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: true });

const Tool = Type.Object({
  type: Type.Literal('function'),
  function: Type.Object({ name: ToolName, description: Type.Optional(Type.String({ maxLength: 16_384 })), parameters: Type.Optional(JsonObject), strict: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])) }, { additionalProperties: false }),
  cache_control: Type.Optional(Type.Object({ type: Type.Literal('ephemeral'), ttl: Type.Optional(Type.String({ maxLength: 10 })) }, { additionalProperties: false, description: 'A prompt-cache breakpoint for Anthropic models (and servers that take it: OpenRouter, LiteLLM)' })),
}, { additionalProperties: false });

const MaxTokens = Type.Integer({ minimum: 1, maximum: 10_000_000 });
const ModelName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s]+$', description: 'An alias of the workspace (`fast`), `provider/model` (`openai/gpt-4o-mini`), or a bare model name when the workspace has one provider' });

export const ChatCompletionBody = Type.Object({
  model: ModelName,
  messages: Type.Array(Message, { minItems: 1, maxItems: 10_000 }),
  max_tokens: Type.Optional(Type.Union([MaxTokens, Type.Null()])),
  max_completion_tokens: Type.Optional(Type.Union([MaxTokens, Type.Null()])),
  temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
  top_p: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])),
  stop: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 4 }), Type.Null()])),
  tools: Type.Optional(Type.Array(Tool, { maxItems: 128 })),
  tool_choice: Type.Optional(Type.Union([
    Type.Literal('auto'), Type.Literal('none'), Type.Literal('required'),
    Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: ToolName }) }),
  ])),
  stream: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  stream_options: Type.Optional(Type.Union([Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, { additionalProperties: true }), Type.Null()])),
  user: Type.Optional(Type.String({ maxLength: 256 })),
}, { additionalProperties: true });

export const ChatCompletionResponse = Type.Object({
  id: Type.String(), object: Type.Literal('chat.completion'), created: Type.Integer(), model: Type.String(),
  choices: Type.Array(Type.Object({ index: Type.Integer(), message: Type.Object({}, { additionalProperties: true }), finish_reason: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: true })),
  usage: Type.Optional(Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() }, { additionalProperties: true })),
}, { additionalProperties: true, description: 'OpenAI chat.completion; with `stream: true` the answer is text/event-stream of chat.completion.chunk objects ending with `data: [DONE]`' });

export const EmbeddingsBody = Type.Object({
  model: ModelName,
  input: Type.Union([
    Type.String({ maxLength: 4_000_000 }),
    Type.Array(Type.String({ maxLength: 1_000_000 }), { minItems: 1, maxItems: 2048 }),
    Type.Array(Type.Integer({ minimum: 0, maximum: 10_000_000 }), { minItems: 1, maxItems: 100_000 }),
    Type.Array(Type.Array(Type.Integer({ minimum: 0, maximum: 10_000_000 }), { maxItems: 100_000 }), { minItems: 1, maxItems: 2048 }),
  ]),
  encoding_format: Type.Optional(Type.Union([Type.Literal('float'), Type.Literal('base64')])),
  dimensions: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  user: Type.Optional(Type.String({ maxLength: 256 })),
}, { additionalProperties: false });

export const EmbeddingsResponseSchema = Type.Object({
  object: Type.Literal('list'), model: Type.String(),
  data: Type.Array(Type.Object({ object: Type.Literal('embedding'), index: Type.Integer(), embedding: Type.Union([Type.Array(Type.Number()), Type.String()]) })),
  usage: Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() }),
}, { additionalProperties: true });

export const ModelsResponse = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({ id: Type.String(), object: Type.Literal('model'), created: Type.Integer(), owned_by: Type.String() })),
});

const AnthropicBlock = Type.Object({ type: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: true });

export const MessagesBody = Type.Object({
  model: ModelName,
  max_tokens: MaxTokens,
  messages: Type.Array(Type.Object({
    role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.Union([Text, Type.Array(AnthropicBlock, { maxItems: 1000 })]),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 10_000 }),
  system: Type.Optional(Type.Union([Text, Type.Array(AnthropicBlock, { maxItems: 100 })])),
  stop_sequences: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 16 })),
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_k: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  stream: Type.Optional(Type.Boolean()),
  tools: Type.Optional(Type.Array(Type.Object({
    name: ToolName, description: Type.Optional(Type.String({ maxLength: 16_384 })), input_schema: Type.Optional(JsonObject), type: Type.Optional(Type.String({ maxLength: 100 })),
  }, { additionalProperties: true }), { maxItems: 128 })),
  tool_choice: Type.Optional(Type.Object({ type: Type.Union(['auto', 'any', 'tool', 'none'].map((t) => Type.Literal(t))), name: Type.Optional(ToolName) }, { additionalProperties: true })),
  metadata: Type.Optional(Type.Object({ user_id: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: true })),
  thinking: Type.Optional(Type.Object({
    type: Type.String({ minLength: 1, maxLength: 20, description: '`enabled` (with budget_tokens) or `disabled`: Anthropic\'s extended thinking, passed to Anthropic providers' }),
    budget_tokens: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  }, { additionalProperties: true })),
}, { additionalProperties: true });

export const MessageResponse = Type.Object({
  id: Type.String(), type: Type.Literal('message'), role: Type.Literal('assistant'), model: Type.String(),
  content: Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true })),
  stop_reason: Type.Union([Type.String(), Type.Null()]), stop_sequence: Type.Union([Type.String(), Type.Null()]),
  usage: Type.Object({ input_tokens: Type.Integer(), output_tokens: Type.Integer() }, { additionalProperties: true }),
}, { additionalProperties: true, description: 'Anthropic message; with `stream: true` the answer is text/event-stream of Anthropic events (message_start … message_stop)' });
