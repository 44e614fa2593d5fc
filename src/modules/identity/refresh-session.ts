// POST /auth/refresh: rotation (sessions.ts). A reused refresh token revokes its session; that
// revocation is recorded (`session.revoked`, reason refresh_token_reuse) in the same
// transaction. Ordinary rotations are not audit events: they change no access, only tokens.
import type { AuditContext } from '../audit/index.ts';
import type { ClientInfo, IdentityContext } from './identity.context.ts';
import type { TokenPair } from './sessions.ts';

export async function refreshSession(ctx: IdentityContext, refreshToken: string, client: ClientInfo, audit: AuditContext): Promise<TokenPair> {
  return ctx.sessions.refresh(refreshToken, client, {
    async onReuse(tx, session) {
      // Whoever presented the token is unknown (possibly a thief): the platform revoked it.
      await ctx.audit.record(tx, { ...audit, actor: { type: 'system', id: null } }, {
        workspaceId: session.workspaceId, action: 'session.revoked', targetType: 'session', targetId: session.sessionId,
        diff: { after: { reason: 'refresh_token_reuse', userId: session.userId } },
      });
    },
  });
}
