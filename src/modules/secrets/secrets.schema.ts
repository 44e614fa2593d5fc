import { Type } from '@fastify/type-provider-typebox';

export const SECRET_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$';
const NAME = new RegExp(SECRET_NAME_PATTERN);

export function isValidSecretName(name: string): boolean {
  return NAME.test(name);
}

export const SecretName = Type.String({
  pattern: SECRET_NAME_PATTERN,
  maxLength: 100,
  description: 'Up to 100 letters, digits, `_`, `.` and `-`, starting with a letter or digit (e.g. `OPENAI_API_KEY`)',
});

const DateTime = Type.String({ format: 'date-time' });
const NullableUuid = Type.Union([Type.String({ format: 'uuid' }), Type.Null()]);

/** A secret's metadata. There is no schema with the value: no response can carry it. */
export const SecretSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: SecretName,
  fullName: Type.String({ description: '`workspace/<slug>/<name>`, how workflows and providers refer to it' }),
  description: Type.String(),
  keyVersion: Type.Integer({ description: 'Version of the workspace data key that seals the value' }),
  createdBy: NullableUuid,
  updatedBy: NullableUuid,
  createdAt: DateTime,
  updatedAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
});

export const PutSecretBody = Type.Object({
  value: Type.String({ minLength: 1, maxLength: 65536, writeOnly: true, description: 'The secret value; it can never be read back through the API' }),
  description: Type.Optional(Type.String({ maxLength: 500, description: 'What it is for; kept as is when omitted on an update' })),
}, { additionalProperties: false });

export const SecretListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: SECRET_NAME_PATTERN, maxLength: 100, description: 'nextCursor of the previous page (the last name)' })),
}, { additionalProperties: false });
