// TypeBox schemas shared by the identity routes (validation, serialization and OpenAPI).
import { Type } from '@fastify/type-provider-typebox';

export const Uuid = Type.String({ format: 'uuid' });
export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const RoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')]);
/** Roles that can be handed to an API key or an invitation (ownership is given by an owner, to a member). */
export const GrantableRole = Type.Union([Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')]);

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 320 });
/** A password as typed at login: length bounds only (strength is checked where one is chosen). */
export const PasswordInput = Type.String({ minLength: 1, maxLength: 1000 });
/** A 6-digit TOTP code or a recovery code (xxxxx-xxxxx). */
export const SecondFactorCode = Type.String({ minLength: 6, maxLength: 32, description: 'A 6-digit code from the authenticator app, or a recovery code' });

const tokenFields = {
  accessToken: Type.String({ description: 'JWT for `Authorization: Bearer …`' }),
  refreshToken: Type.String({ description: 'Opaque, single use: POST /auth/refresh returns a new one' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Lifetime of the access token, in seconds' }),
  sessionId: Uuid,
};

export const TokenPairSchema = Type.Object(tokenFields);
/** A token pair and the workspace it is bound to (login, switch, invitation acceptance). */
export const SessionTokensSchema = Type.Object({ ...tokenFields, workspaceId: Uuid });

export const Page = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
});

export const NoContent = Type.Null({ description: 'No content' });
