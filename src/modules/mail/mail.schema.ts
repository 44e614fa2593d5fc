import { Type } from '@fastify/type-provider-typebox';

export const MailSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  to: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('stored')]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** The outbox as an operator sees it: which workspace, and how delivery went. */
export const MailWithDeliverySchema = Type.Object({
  ...MailSchema.properties,
  workspaceId: Type.String({ format: 'uuid' }),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

export const MailListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'id of the last mail of the previous page' })),
}, { additionalProperties: false });
