import { Type } from '@fastify/type-provider-typebox';
import type { Static } from '@fastify/type-provider-typebox';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
export const Tag = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N}_.:/-]*$', description: 'Letters, digits and _ . : / -' });
const Tags = Type.Array(Tag, { maxItems: 20, uniqueItems: true });
const Metadata = Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1000 }), Type.Number({ minimum: -1e15, maximum: 1e15 }), Type.Boolean(), Type.Null()]), {
  maxProperties: 20, description: 'Flat key → string, number, boolean or null (20 keys at most)',
});

export const MemorySchema = Type.Object({
  id: Uuid,
  agentId: Type.Union([Uuid, Type.Null()], { description: 'null: shared by the workspace\'s agents' }),
  text: Type.String(),
  tags: Type.Array(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  bytes: Type.Integer(),
});
export type MemoryView = Static<typeof MemorySchema>;

export const RecalledSchema = Type.Object({
  ...MemorySchema.properties,
  score: Type.Number({ description: 'Reciprocal-rank fusion of full-text and trigram ranks (higher is closer)' }),
});
export type RecalledMemory = Static<typeof RecalledSchema>;

export const RememberBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 8000 }),
  tags: Type.Optional(Tags),
  metadata: Type.Optional(Metadata),
  expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  isShared: Type.Optional(Type.Boolean({ description: 'On an agent\'s route: keep it for every agent of the workspace instead of this one' })),
}, { additionalProperties: false });
export type RememberInput = Static<typeof RememberBody>;

export const RememberAnswer = Type.Object({
  ...MemorySchema.properties,
  isMerged: Type.Boolean({ description: 'true: the same memory (same words, whatever the case and punctuation) existed and was updated instead of adding another' }),
});

export const UpdateMemoryBody = Type.Object({
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 8000 })),
  tags: Type.Optional(Tags),
  metadata: Type.Optional(Metadata),
  expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateMemoryInput = Static<typeof UpdateMemoryBody>;

export const RecallQuery = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 500 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
  tags: Type.Optional(Type.String({ maxLength: 1400, description: 'Comma-separated: every tag must be on the memory' })),
}, { additionalProperties: false });
export type RecallInput = Static<typeof RecallQuery>;

export const ListMemoriesQuery = Type.Object({
  agentId: Type.Optional(Type.Union([Uuid, Type.Literal('shared')], { description: 'One agent\'s memories, or `shared` for the workspace\'s' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  tags: Type.Optional(Type.String({ maxLength: 1400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export type ListMemoriesInput = Static<typeof ListMemoriesQuery>;

const Usage = Type.Object({ count: Type.Integer(), bytes: Type.Integer(), maxCount: Type.Integer(), maxBytes: Type.Integer() });
export const MemoryQuotaSchema = Type.Object({
  plan: Type.String(),
  workspace: Usage,
  agentLimits: Type.Object({ maxCount: Type.Integer(), maxBytes: Type.Integer() }, { description: 'What any one agent may hold' }),
  agents: Type.Array(Type.Object({ agentId: Uuid, ...Usage.properties })),
  recall: Type.Object({
    mode: Type.Union([Type.Literal('words'), Type.Literal('words_and_meaning')], { description: 'words: full text and trigrams; words_and_meaning: fused with vector similarity (setting memory.embedding_model)' }),
    embeddingModel: Type.Union([Type.String(), Type.Null()]),
    pending: Type.Integer({ description: 'Memories waiting for their embedding (found by words meanwhile)' }),
  }),
});

export const AgentIdParams = Type.Object({ id: Uuid });
export const MemoryIdParams = Type.Object({ id: Uuid });
