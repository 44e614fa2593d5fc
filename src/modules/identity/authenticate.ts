// Resolves the caller from `Authorization: Bearer …`: an access token (JWT) or an API key.
// The session's state (revoked? workspace active? role now?) is checked on every request,
// through a short per-process cache, so revocation, suspension and role changes take effect
// within STATE_TTL_MS rather than when the access token expires. Custom roles are resolved the
// same way (src/modules/access/access-resolver.ts, same 2 s). An API key's row (hash, expiry,
// revocation, workspace status) is cached the same 2 s by its prefix — the hash is compared on
// every request — and forgotten at once when this process revokes a key.
import type { FastifyRequest } from 'fastify';
import type { Database } from '../../kernel/db/database.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import { ROLES } from '../access/index.ts';
import type { Role } from '../access/index.ts';
import { parseApiKey, safeEqualHex, sha256 } from './tokens.ts';
import type { TokenSigner } from './tokens.ts';

const STATE_TTL_MS = 2_000;
const LAST_USED_EVERY_MS = 60_000;
const CACHE_MAX = 10_000;

type SessionState = { isActive: boolean; workspaceStatus: string | null; role: Role | null; isPlatformAdmin: boolean };

/** Adds the principal's custom roles and effective access (src/modules/access); none: base role only. */
export type AccessResolve = (principal: Principal) => Promise<Principal>;

export function createAuthenticator(db: Database, signer: TokenSigner, resolveAccess?: AccessResolve) {
  const sessionCache = new Map<string, { state: SessionState; until: number }>();
  const keyLastUsed = new Map<string, number>();
  type KeyRow = { workspace_id: string; id: string; key_hash: string; role: Role; expires_at: Date | null; revoked_at: Date | null; workspace_status: string };
  const keyCache = new Map<string, { row: KeyRow | null; until: number }>();

  async function apiKeyRow(prefix: string): Promise<KeyRow | null> {
    const now = Date.now();
    const hit = keyCache.get(prefix);
    if (hit && hit.until > now) return hit.row;
    const { rows } = await db.app.query<KeyRow>('select * from atrium_find_api_key($1)', [prefix]);
    if (keyCache.size >= CACHE_MAX) keyCache.clear();
    keyCache.set(prefix, { row: rows[0] ?? null, until: now + STATE_TTL_MS });
    return rows[0] ?? null;
  }

  async function sessionState(sessionId: string, workspaceId: string): Promise<SessionState | null> {
    const cacheKey = `${sessionId}:${workspaceId}`;
    const now = Date.now();
    const hit = sessionCache.get(cacheKey);
    if (hit && hit.until > now) return hit.state;
    const { rows } = await db.app.query<{ is_active: boolean; workspace_status: string | null; role: Role | null; is_platform_admin: boolean }>(
      'select * from atrium_session_state($1, $2)', [sessionId, workspaceId],
    );
    const r = rows[0];
    if (!r) return null;
    const state = { isActive: r.is_active, workspaceStatus: r.workspace_status, role: r.role, isPlatformAdmin: r.is_platform_admin };
    if (sessionCache.size >= CACHE_MAX) sessionCache.clear();
    sessionCache.set(cacheKey, { state, until: now + STATE_TTL_MS });
    return state;
  }

  async function fromApiKey(key: string): Promise<Principal> {
    const parsed = parseApiKey(key);
    if (!parsed) throw kernelErrors.create('TOKEN_INVALID', 'Malformed API key');
    const row = await apiKeyRow(parsed.prefix);
    if (!row || !safeEqualHex(row.key_hash, sha256(key)) || row.revoked_at || (row.expires_at && row.expires_at < new Date())) {
      throw kernelErrors.create('TOKEN_INVALID', 'The API key is invalid, expired or revoked');
    }
    if (row.workspace_status !== 'active') throw kernelErrors.create('WORKSPACE_SUSPENDED', `This workspace is ${row.workspace_status}`);
    const last = keyLastUsed.get(row.id) ?? 0;
    if (Date.now() - last > LAST_USED_EVERY_MS) {
      keyLastUsed.set(row.id, Date.now());
      // Best effort, outside the request's critical path.
      db.withWorkspace(row.workspace_id, (tx) => tx.query('update api_keys set last_used_at = now() where workspace_id = $1 and id = $2', [row.workspace_id, row.id]))
        .catch(() => keyLastUsed.delete(row.id));
    }
    return { kind: 'api_key', userId: null, apiKeyId: row.id, workspaceId: row.workspace_id, role: row.role, sessionId: null, isPlatformAdmin: false };
  }

  async function fromAccessToken(token: string): Promise<Principal> {
    const claims = await signer.verify(token);
    if (!claims) throw kernelErrors.create('TOKEN_INVALID');
    const state = await sessionState(claims.sid, claims.ws);
    if (!state || !state.isActive) throw kernelErrors.create('TOKEN_INVALID', 'The session has ended; log in again');
    if (state.workspaceStatus !== 'active') throw kernelErrors.create('WORKSPACE_SUSPENDED', `This workspace is ${state.workspaceStatus ?? 'unavailable'}`);
    if (!state.role || !ROLES.includes(state.role)) throw kernelErrors.create('TOKEN_INVALID', 'You are no longer a member of this workspace');
    return { kind: 'user', userId: claims.sub, apiKeyId: null, workspaceId: claims.ws, role: state.role, sessionId: claims.sid, isPlatformAdmin: state.isPlatformAdmin, impersonatorId: claims.act ?? null };
  }

  return {
    async authenticate(request: FastifyRequest): Promise<Principal | null> {
      const header = request.headers.authorization;
      if (!header) {
        // Anthropic's clients send the key as x-api-key: accepted for API keys only (never a session token).
        const apiKey = request.headers['x-api-key'];
        if (typeof apiKey !== 'string' || !apiKey) return null;
        if (!apiKey.startsWith('atr_')) throw kernelErrors.create('TOKEN_INVALID', 'x-api-key takes an Atrium API key (atr_…)');
        const principal = await fromApiKey(apiKey);
        return resolveAccess ? resolveAccess(principal) : principal;
      }
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw kernelErrors.create('TOKEN_INVALID', 'Use "Authorization: Bearer <token>"');
      const principal = m[1].startsWith('atr_') ? await fromApiKey(m[1]) : await fromAccessToken(m[1]);
      // Permissions are the union of the base role and the member's custom roles, cached per
      // (workspace, roles_version, role set); an error here fails the request (never widens).
      return resolveAccess ? resolveAccess(principal) : principal;
    },
    /** Forget cached state (after a revocation in this process); no session: every session and API key. */
    invalidate(sessionId?: string): void {
      if (!sessionId) {
        keyCache.clear();
        return sessionCache.clear();
      }
      for (const key of sessionCache.keys()) if (key.startsWith(`${sessionId}:`)) sessionCache.delete(key);
    },
  };
}
