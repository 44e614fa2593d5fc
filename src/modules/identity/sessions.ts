// Sessions and the token pair. A session is one login; its refresh tokens rotate on every use,
// and presenting an already-used refresh token revokes the whole session (family).
import type { Database, Tx } from '../../kernel/db/database.ts';
import type { Role } from '../access/index.ts';
import { identityErrors } from './identity.errors.ts';
import { randomToken, sha256 } from './tokens.ts';
import type { TokenSigner } from './tokens.ts';

export type TokenPair = { accessToken: string; refreshToken: string; tokenType: 'Bearer'; expiresIn: number; sessionId: string };

export type SessionContext = { ip?: string; userAgent?: string };

/** Called inside the transaction that revokes a session for refresh-token reuse (to record it). */
export type ReuseHandler = (tx: Tx, session: { sessionId: string; userId: string; workspaceId: string }) => Promise<void>;

export type SessionHooks = {
  /** Called after a session is revoked by refresh-token reuse (to drop cached session state). */
  onRevoked?(sessionId: string): void;
};

export function createSessionService(db: Database, signer: TokenSigner, refreshTtlDays: number, hooks: SessionHooks = {}) {
  async function insertRefreshToken(tx: Tx, sessionId: string): Promise<string> {
    const token = randomToken('rt_');
    await tx.query('insert into refresh_tokens (token_hash, session_id) values ($1, $2)', [sha256(token), sessionId]);
    return token;
  }

  /** `impersonatorId`: the real actor of an impersonation session, carried as the `act` claim. */
  async function signFor(userId: string, workspaceId: string, role: Role, sessionId: string, isPlatformAdmin: boolean, impersonatorId?: string | null): Promise<string> {
    return signer.sign({ sub: userId, ws: workspaceId, role, sid: sessionId, ...(isPlatformAdmin ? { adm: true } : {}), ...(impersonatorId ? { act: impersonatorId } : {}) });
  }

  return {
    /** Open a session for a user in a workspace (login, signup, invitation acceptance). */
    async openSession(tx: Tx, input: { userId: string; workspaceId: string; role: Role; isPlatformAdmin: boolean } & SessionContext): Promise<TokenPair> {
      const { rows } = await tx.query<{ id: string }>(
        `insert into sessions (user_id, workspace_id, ip, user_agent, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(days => $5)) returning id`,
        [input.userId, input.workspaceId, input.ip ?? null, input.userAgent?.slice(0, 300) ?? null, refreshTtlDays],
      );
      const sessionId = rows[0].id;
      const refreshToken = await insertRefreshToken(tx, sessionId);
      const accessToken = await signFor(input.userId, input.workspaceId, input.role, sessionId, input.isPlatformAdmin);
      return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: signer.ttlSeconds, sessionId };
    },

    /**
     * An impersonation session of `userId` opened by `impersonatorId` (start-impersonation.ts):
     * it ends at now() + minutes (database clock) whatever happens, and every access token it
     * issues, refreshed ones included, carries the real actor as `act`.
     */
    async openImpersonationSession(tx: Tx, input: { userId: string; workspaceId: string; role: Role; impersonatorId: string; minutes: number } & SessionContext): Promise<TokenPair & { startedAt: Date; expiresAt: Date }> {
      const { rows } = await tx.query<{ id: string; created_at: Date; expires_at: Date }>(
        `insert into sessions (user_id, workspace_id, ip, user_agent, expires_at, impersonator_id)
         values ($1, $2, $3, $4, now() + make_interval(mins => $5), $6) returning id, created_at, expires_at`,
        [input.userId, input.workspaceId, input.ip ?? null, input.userAgent?.slice(0, 300) ?? null, input.minutes, input.impersonatorId],
      );
      const sessionId = rows[0].id;
      const refreshToken = await insertRefreshToken(tx, sessionId);
      const accessToken = await signFor(input.userId, input.workspaceId, input.role, sessionId, false, input.impersonatorId);
      return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: signer.ttlSeconds, sessionId, startedAt: rows[0].created_at, expiresAt: rows[0].expires_at };
    },

    /** Rotate: the presented token is spent, a new pair is issued. Reuse revokes the session. */
    async refresh(refreshToken: string, context: SessionContext, handlers: { onReuse?: ReuseHandler } = {}): Promise<TokenPair> {
      const outcome = await db.withIdentity(async (tx) => {
        const { rows } = await tx.query<{ session_id: string; used_at: Date | null; user_id: string; workspace_id: string; revoked_at: Date | null; expires_at: Date; is_expired: boolean; is_platform_admin: boolean; impersonator_id: string | null }>(
          `select r.session_id, r.used_at, s.user_id, s.workspace_id, s.revoked_at, s.expires_at, s.expires_at <= now() as is_expired, u.is_platform_admin, s.impersonator_id
           from refresh_tokens r join sessions s on s.id = r.session_id join users u on u.id = s.user_id
           where r.token_hash = $1 for update of r, s`,
          [sha256(refreshToken)],
        );
        const row = rows[0];
        // The database clock decides expiry (an impersonation session's 60-minute cap included).
        if (!row || row.revoked_at || row.is_expired) return { kind: 'invalid' as const };
        if (row.used_at) {
          await tx.query(`update sessions set revoked_at = now(), revoked_reason = 'refresh_token_reuse' where id = $1`, [row.session_id]);
          await handlers.onReuse?.(tx, { sessionId: row.session_id, userId: row.user_id, workspaceId: row.workspace_id });
          return { kind: 'reused' as const, sessionId: row.session_id };
        }
        const state = await tx.query<{ workspace_status: string | null; role: Role | null }>('select * from atrium_session_state($1, $2)', [row.session_id, row.workspace_id]);
        const s = state.rows[0];
        if (!s || s.workspace_status !== 'active' || !s.role) return { kind: 'invalid' as const };
        await tx.query('update refresh_tokens set used_at = now() where token_hash = $1', [sha256(refreshToken)]);
        await tx.query('update sessions set last_used_at = now(), ip = coalesce($2, ip), user_agent = coalesce($3, user_agent) where id = $1',
          [row.session_id, context.ip ?? null, context.userAgent?.slice(0, 300) ?? null]);
        const next = await insertRefreshToken(tx, row.session_id);
        const accessToken = await signFor(row.user_id, row.workspace_id, s.role, row.session_id, row.is_platform_admin, row.impersonator_id);
        return { kind: 'ok' as const, pair: { accessToken, refreshToken: next, tokenType: 'Bearer' as const, expiresIn: signer.ttlSeconds, sessionId: row.session_id } };
      });
      // The revocation above must commit, so the error is raised after the transaction.
      if (outcome.kind === 'reused') {
        hooks.onRevoked?.(outcome.sessionId);
        throw identityErrors.create('REFRESH_TOKEN_REUSED');
      }
      if (outcome.kind === 'invalid') throw identityErrors.create('REFRESH_TOKEN_INVALID');
      return outcome.pair;
    },

    /** New access token for the same session in another workspace (switch). */
    async switchWorkspace(tx: Tx, input: { userId: string; sessionId: string; workspaceId: string; role: Role; isPlatformAdmin: boolean }): Promise<TokenPair> {
      await tx.query('update sessions set workspace_id = $2, last_used_at = now() where id = $1 and user_id = $3', [input.sessionId, input.workspaceId, input.userId]);
      const refreshToken = await insertRefreshToken(tx, input.sessionId);
      const accessToken = await signFor(input.userId, input.workspaceId, input.role, input.sessionId, input.isPlatformAdmin);
      return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: signer.ttlSeconds, sessionId: input.sessionId };
    },

    async revokeSession(tx: Tx, sessionId: string, reason: string): Promise<boolean> {
      const r = await tx.query(`update sessions set revoked_at = now(), revoked_reason = $2 where id = $1 and revoked_at is null`, [sessionId, reason]);
      return (r.rowCount ?? 0) > 0;
    },

    async revokeUserSessions(tx: Tx, userId: string, reason: string): Promise<number> {
      const r = await tx.query(`update sessions set revoked_at = now(), revoked_reason = $2 where user_id = $1 and revoked_at is null`, [userId, reason]);
      return r.rowCount ?? 0;
    },

    /** Every session of a user except one (after a password change). Returns the revoked ids. */
    async revokeOtherUserSessions(tx: Tx, userId: string, keepSessionId: string, reason: string): Promise<string[]> {
      const r = await tx.query<{ id: string }>(
        `update sessions set revoked_at = now(), revoked_reason = $3 where user_id = $1 and id <> $2 and revoked_at is null returning id`,
        [userId, keepSessionId, reason],
      );
      return r.rows.map((row) => row.id);
    },

    /** A user's sessions bound to one workspace (the member was removed). Returns the revoked ids. */
    async revokeUserWorkspaceSessions(tx: Tx, userId: string, workspaceId: string, reason: string): Promise<string[]> {
      const r = await tx.query<{ id: string }>(
        `update sessions set revoked_at = now(), revoked_reason = $3 where user_id = $1 and workspace_id = $2 and revoked_at is null returning id`,
        [userId, workspaceId, reason],
      );
      return r.rows.map((row) => row.id);
    },

    async revokeWorkspaceSessions(tx: Tx, workspaceId: string, reason: string): Promise<number> {
      const r = await tx.query(`update sessions set revoked_at = now(), revoked_reason = $2 where workspace_id = $1 and revoked_at is null`, [workspaceId, reason]);
      return r.rowCount ?? 0;
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
