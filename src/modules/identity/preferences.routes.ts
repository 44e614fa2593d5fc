// /auth/preferences: the caller's account preferences (today: may support impersonate me?).
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { getPreferences } from './get-preferences.ts';
import { requireUser } from './identity.context.ts';
import type { IdentityContext } from './identity.context.ts';
import { updatePreferences } from './update-preferences.ts';

const tags = ['auth'];

const PreferencesSchema = Type.Object({
  allowImpersonation: Type.Boolean({ description: 'Whether platform admins and holders of impersonation.start may impersonate you (default true)' }),
});

export function preferencesRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.get('/auth/preferences', {
      config: { auth: 'session' },
      schema: { tags, summary: 'Your account preferences', response: { 200: PreferencesSchema } },
    }, async (request) => getPreferences(ctx, requireUser(request.principal)));

    app.patch('/auth/preferences', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Change your account preferences (an opt-out of impersonation is audited)',
        body: Type.Partial(PreferencesSchema, { additionalProperties: false, minProperties: 1 }),
        response: { 200: PreferencesSchema },
      },
    }, async (request) => updatePreferences(ctx, requireUser(request.principal), request.body, auditContextOf(request)));
  };
}
