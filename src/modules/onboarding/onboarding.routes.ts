import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { WorkspaceSchema } from '../tenancy/index.ts';
import { auditContextOf } from '../audit/index.ts';
import type { AuditContext } from '../audit/index.ts';
import type { SignupRequest, SignupResult } from './sign-up.ts';

type SignUp = (request: SignupRequest, client: { ip?: string; userAgent?: string }, audit: AuditContext) => Promise<SignupResult>;

const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.String(),
  isPlatformAdmin: Type.Boolean(),
  mfaEnabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const PersonName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

export function onboardingRoutes(run: SignUp): RoutePlugin {
  return async (app) => {
    app.post('/onboard/signup', {
      config: { auth: 'public' },
      schema: {
        tags: ['onboarding'],
        summary: 'Sign up: creates your account, your workspace and your first session (idempotent by email)',
        security: [],
        body: Type.Object({
          email: Type.String({ format: 'email', maxLength: 254 }),
          password: Type.String({ minLength: 1, maxLength: 200 }),
          name: PersonName,
          companyName: PersonName,
        }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            status: Type.Literal('created'),
            user: UserSchema,
            workspace: WorkspaceSchema,
            accessToken: Type.String(),
            refreshToken: Type.String(),
            tokenType: Type.Literal('Bearer'),
            expiresIn: Type.Integer(),
            sessionId: Type.String({ format: 'uuid' }),
          }),
          200: Type.Object({ status: Type.Literal('already_created') }, { description: 'An account with this email exists; nothing was changed' }),
        },
      },
    }, async (request, reply) => {
      const result = await run(request.body, { ip: request.ip, userAgent: request.headers['user-agent'] }, auditContextOf(request));
      if (result.status === 'already_created') return reply.code(200).send(result);
      return reply.code(201).send(result);
    });
  };
}
