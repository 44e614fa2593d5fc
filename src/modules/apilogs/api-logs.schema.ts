import { Type } from '@fastify/type-provider-typebox';

const Timestamp = Type.String({ format: 'date-time' });

export const ApiLogSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  createdAt: Timestamp,
  method: Type.String(),
  endpoint: Type.String({ description: 'The route pattern, e.g. /api/v1/secrets/:name' }),
  status: Type.Integer(),
  durationMs: Type.Number(),
  errorCode: Type.Union([Type.String(), Type.Null()], { description: 'The problem+json `code` of an error answer' }),
  requestId: Type.Union([Type.String(), Type.Null()]),
  actorType: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Null()]),
  actorId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestBody: Type.Unknown({ description: 'Errors only, redacted (credentials replaced by "[redacted]")' }),
  responseBody: Type.Unknown({ description: 'Errors only: the problem+json answer, redacted' }),
});

export const ApiLogListQuery = Type.Object({
  statusClass: Type.Optional(Type.Union([Type.Literal('2xx'), Type.Literal('3xx'), Type.Literal('4xx'), Type.Literal('5xx')])),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  hasError: Type.Optional(Type.Boolean({ description: 'true: status >= 400; false: below' })),
  method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH'), Type.Literal('DELETE')])),
  endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 300, pattern: '^/[^\\s]*$', description: 'A route pattern, exact, or a prefix ending in *' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}, { additionalProperties: false });

export const ApiLogPageSchema = Type.Object({
  data: Type.Array(ApiLogSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
