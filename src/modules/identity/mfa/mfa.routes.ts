// /auth/mfa: TOTP enrollment, verification (enables it), disabling, recovery codes.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { clientInfo } from '../client-info.ts';
import { disableTotp } from './disable-totp.ts';
import { enrollTotp } from './enroll-totp.ts';
import { requireUser } from '../identity.context.ts';
import type { IdentityContext } from '../identity.context.ts';
import { NoContent, PasswordInput, SecondFactorCode } from '../identity.schema.ts';
import { regenerateRecoveryCodes } from './regenerate-recovery-codes.ts';
import { verifyTotp } from './verify-totp.ts';

const tags = ['auth'];
const RecoveryCodes = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { description: 'Shown this once. Each works once in place of a TOTP code.' }),
});

export function mfaRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.post('/auth/mfa/enroll', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Start TOTP enrollment: a secret to scan into an authenticator app',
        description: 'Not active until POST /auth/mfa/verify. 409 MFA_ALREADY_ENABLED if already enabled.',
        response: {
          200: Type.Object({
            secret: Type.String({ description: 'Base32, for manual entry' }),
            otpauthUri: Type.String(),
            qrCodeDataUrl: Type.String({ description: 'PNG data URL of the otpauth URI' }),
          }),
        },
      },
    }, async (request) => enrollTotp(ctx, requireUser(request.principal), auditContextOf(request)));

    app.post('/auth/mfa/verify', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Enable TOTP with a first code; returns 10 recovery codes once',
        body: Type.Object({ code: Type.String({ pattern: '^\\s*\\d{3}\\s?\\d{3}\\s*$', description: '6-digit code' }) }, { additionalProperties: false }),
        response: { 200: RecoveryCodes },
      },
    }, async (request) => verifyTotp(ctx, requireUser(request.principal), request.body.code, auditContextOf(request)));

    app.post('/auth/mfa/disable', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Disable TOTP (needs your password and a code or a recovery code)',
        body: Type.Object({ password: PasswordInput, code: SecondFactorCode }, { additionalProperties: false }),
        response: { 204: NoContent },
      },
    }, async (request, reply) => {
      await disableTotp(ctx, requireUser(request.principal), request.body, clientInfo(request), auditContextOf(request));
      return reply.code(204).send(null);
    });

    app.post('/auth/mfa/recovery-codes', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Replace your recovery codes (needs a current code)',
        body: Type.Object({ code: SecondFactorCode }, { additionalProperties: false }),
        response: { 200: RecoveryCodes },
      },
    }, async (request) => regenerateRecoveryCodes(ctx, requireUser(request.principal), request.body.code, clientInfo(request), auditContextOf(request)));
  };
}
