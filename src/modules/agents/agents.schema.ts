import { Type } from '@fastify/type-provider-typebox';
import type { Static } from '@fastify/type-provider-typebox';
import { Tag } from '../memory/memory.schema.ts';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
export const ToolName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$' });

export const AgentConfigSchema = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 200, description: 'An alias (fast, smart) or provider/model of the gateway' }),
  systemPrompt: Type.String({ maxLength: 20000 }),
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
  maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 64000, description: 'Per model call' })),
  tools: Type.Array(ToolName, { maxItems: 32, uniqueItems: true, description: 'Tools of the registry (GET /agents/tools) the agent may call' }),
  memory: Type.Object({
    mode: Type.Union([Type.Literal('off'), Type.Literal('recall')], { description: 'recall: the memories closest to each message go into the context' }),
    topK: Type.Integer({ minimum: 1, maximum: 20 }),
    tags: Type.Array(Tag, { maxItems: 20, uniqueItems: true, description: 'Recall only memories carrying every one of these tags' }),
  }, { additionalProperties: false }),
  limits: Type.Object({
    maxSteps: Type.Integer({ minimum: 1, maximum: 25, description: 'Model calls per run' }),
    maxTokensPerRun: Type.Integer({ minimum: 100, maximum: 2_000_000 }),
    runTimeoutMs: Type.Integer({ minimum: 1000, maximum: 600_000 }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type AgentConfig = Static<typeof AgentConfigSchema>;

export const DEFAULT_CONFIG: Omit<AgentConfig, 'model'> = {
  systemPrompt: 'You are a helpful assistant.',
  tools: [],
  memory: { mode: 'off', topK: 5, tags: [] },
  limits: { maxSteps: 8, maxTokensPerRun: 100_000, runTimeoutMs: 120_000 },
};

const ServiceRole = Type.Union([Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')], { description: 'The role the agent acts with when no user is behind a run (webhook, workflow)' });
const Name = Type.String({ minLength: 1, maxLength: 80 });

export const AgentSchema = Type.Object({
  id: Uuid, name: Type.String(), description: Type.String(),
  draft: AgentConfigSchema,
  publishedVersion: Type.Union([Type.Integer(), Type.Null()]),
  hasUnpublishedChanges: Type.Boolean(),
  serviceRole: ServiceRole,
  createdAt: Timestamp, updatedAt: Timestamp,
});
export type AgentView = Static<typeof AgentSchema>;

export const CreateAgentBody = Type.Object({
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  config: Type.Intersect([Type.Partial(AgentConfigSchema), Type.Object({ model: AgentConfigSchema.properties.model })], { description: 'The first draft: model required, the rest defaulted' }),
  serviceRole: Type.Optional(ServiceRole),
}, { additionalProperties: false });
export type CreateAgentInput = Static<typeof CreateAgentBody>;

export const UpdateAgentBody = Type.Object({
  name: Type.Optional(Name),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  config: Type.Optional(Type.Partial(AgentConfigSchema, { description: 'Fields of the draft to change; publish to make them live' })),
  serviceRole: Type.Optional(ServiceRole),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateAgentInput = Static<typeof UpdateAgentBody>;

export const VersionSchema = Type.Object({ version: Type.Integer(), config: AgentConfigSchema, publishedBy: Type.Union([Uuid, Type.Null()]), publishedAt: Timestamp });

export const ChatBody = Type.Object({
  message: Type.String({ minLength: 1, maxLength: 100_000 }),
  threadId: Type.Optional(Uuid),
  stream: Type.Optional(Type.Boolean({ description: 'true: Server-Sent Events (token, tool_call, tool_result, memory_recall, message, done); false: one JSON answer' })),
  useDraft: Type.Optional(Type.Boolean({ description: 'Run the draft instead of the published version (agent.manage)' })),
}, { additionalProperties: false });
export type ChatInput = Static<typeof ChatBody>;

export const StepSchema = Type.Object({
  type: Type.Union([Type.Literal('model'), Type.Literal('tool'), Type.Literal('memory_recall')]),
  at: Timestamp, ms: Type.Integer(),
  model: Type.Optional(Type.String()), inputTokens: Type.Optional(Type.Integer()), outputTokens: Type.Optional(Type.Integer()),
  costMicros: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  tool: Type.Optional(Type.String()), callId: Type.Optional(Type.String()), input: Type.Optional(Type.Unknown()), output: Type.Optional(Type.Unknown()),
  isTruncated: Type.Optional(Type.Boolean()), error: Type.Optional(Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()])),
  count: Type.Optional(Type.Integer()),
});
export type Step = Static<typeof StepSchema>;

export const RunSchema = Type.Object({
  id: Uuid, agentId: Uuid, version: Type.Union([Type.Integer(), Type.Null()]), threadId: Type.Union([Uuid, Type.Null()]),
  trigger: Type.String(), actorUserId: Type.Union([Uuid, Type.Null()]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('awaiting_confirmation'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('limit_reached')]),
  steps: Type.Array(StepSchema),
  inputTokens: Type.Integer(), outputTokens: Type.Integer(), costMicros: Type.Integer(), unpricedCalls: Type.Integer(), modelCalls: Type.Integer(), toolCalls: Type.Integer(),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  startedAt: Timestamp, endedAt: Type.Union([Timestamp, Type.Null()]), latencyMs: Type.Union([Type.Integer(), Type.Null()]),
});
export type RunView = Static<typeof RunSchema>;

export const ChatAnswer = Type.Object({
  runId: Uuid, threadId: Uuid, status: RunSchema.properties.status,
  message: Type.Union([Type.String(), Type.Null()], { description: 'The final answer (null when the run ended without one)' }),
  run: RunSchema,
});

export const MessageSchema = Type.Object({
  id: Uuid, role: Type.String(), content: Type.String(), runId: Type.Union([Uuid, Type.Null()]),
  toolCalls: Type.Union([Type.Array(Type.Object({ id: Type.String(), name: Type.String(), arguments: Type.String() })), Type.Null()]),
  toolCallId: Type.Union([Type.String(), Type.Null()]), createdAt: Timestamp,
});
export const ThreadSchema = Type.Object({ id: Uuid, agentId: Uuid, title: Type.String(), createdAt: Timestamp, updatedAt: Timestamp });

export const LogSchema = Type.Object({
  id: Uuid, runId: Type.Union([Uuid, Type.Null()]), level: Type.String(), type: Type.String(), message: Type.String(), tokens: Type.Union([Type.Integer(), Type.Null()]), createdAt: Timestamp,
});
export const LogQuery = Type.Object({
  level: Type.Optional(Type.Union([Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')])),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  after: Type.Optional(Uuid),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
}, { additionalProperties: false });

export const ToolInfoSchema = Type.Object({
  name: Type.String(), description: Type.String(), permission: Type.String(), isMutating: Type.Boolean(), isIdempotent: Type.Boolean(),
  timeoutMs: Type.Integer(), inputSchema: Type.Unknown(), outputSchema: Type.Unknown(), isAllowed: Type.Boolean({ description: 'Whether you hold its permission' }),
});

export const WebhookSettingsBody = Type.Object({
  isEnabled: Type.Optional(Type.Boolean({ default: true, description: 'A disabled webhook refuses deliveries (410) until enabled again' })),
  mode: Type.Optional(Type.Union([Type.Literal('sync'), Type.Literal('async')], { description: '`sync`: the answer in the response (202 with the run id when the run outlasts `waitSeconds`); `async`: 202 at once' })),
  waitSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, description: 'Sync mode: how long the response waits for the run (default 25)' })),
  callbackUrl: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2000, format: 'uri', pattern: '^https?://' }), Type.Null()], { description: 'Where every answer is POSTed (Standard Webhooks signed, retried), null to remove' })),
}, { additionalProperties: false });

export const WebhookSettingsSchema = Type.Object({
  isSet: Type.Boolean({ description: 'Whether the agent has a webhook' }),
  isEnabled: Type.Boolean(),
  url: Type.Union([Type.String(), Type.Null()], { description: 'Where senders POST (Standard Webhooks signed with the secret)' }),
  mode: Type.Union([Type.Literal('sync'), Type.Literal('async')]),
  waitSeconds: Type.Integer(),
  callbackUrl: Type.Union([Type.String(), Type.Null()]),
  callbackIsEnabled: Type.Union([Type.Boolean(), Type.Null()], { description: 'False once the callback was disabled after failed deliveries' }),
  hasPreviousSecret: Type.Boolean(),
  secretRotatedAt: Type.Union([Timestamp, Type.Null()]),
  secret: Type.Optional(Type.String({ description: 'Shown once, when the webhook is created or its secret rotated' })),
  callbackSecret: Type.Optional(Type.String({ description: 'Shown once, when the callback is created: verify answers with it' })),
});
export type WebhookSettings = Static<typeof WebhookSettingsSchema>;

export const WebhookAnswerSchema = Type.Object({
  deliveryId: Uuid, runId: Uuid, status: Type.String({ description: 'The run\'s status' }),
  message: Type.Union([Type.String(), Type.Null()], { description: 'The final answer' }),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});
export const WebhookAcceptedSchema = Type.Object({
  deliveryId: Uuid, runId: Type.Union([Uuid, Type.Null()]), status: Type.String({ description: '`accepted` (async), or the run\'s status when a sync wait ended first' }),
  statusUrl: Type.Union([Type.String(), Type.Null()], { description: 'GET it (agent.read) for the run' }),
  answerTo: Type.Union([Type.Literal('callback'), Type.Literal('status_url')], { description: 'Where the answer will be: the callback URL when there is one, else the run' }),
});

export const IdParams = Type.Object({ id: Uuid });
export const ThreadParams = Type.Object({ id: Uuid, threadId: Uuid });
export const RunParams = Type.Object({ id: Uuid, runId: Uuid });
