// Access tokens: HS256 JWTs (15 minutes) with sub, ws (workspace), role and sid (session).
// While impersonating, `act` names the real actor (the admin); sub is the impersonated user.
// Refresh tokens and API keys: opaque random strings, stored as SHA-256 hashes.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { Role } from '../access/index.ts';

export type AccessClaims = { sub: string; ws: string; role: Role; sid: string; adm?: boolean; act?: string };

export function createTokenSigner(secret: string, ttlSeconds: number) {
  const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
  // fast-jwt signs and verifies with node:crypto synchronously (jose goes through WebCrypto's
  // async jobs, which cost ~15% of a request's CPU here); verified tokens are cached.
  const signToken = createSigner({ key, algorithm: 'HS256', expiresIn: ttlSeconds * 1000, iss: 'atrium' });
  const verifyToken = createVerifier({ key, algorithms: ['HS256'], allowedIss: 'atrium', cache: 10_000, requiredClaims: ['sub', 'exp'] });
  return {
    ttlSeconds,
    async sign(claims: AccessClaims): Promise<string> {
      return signToken({ ...claims, jti: randomBytes(8).toString('base64url') });
    },
    /** Returns the claims, or null for anything invalid or expired. */
    async verify(token: string): Promise<AccessClaims | null> {
      let payload: Record<string, unknown>;
      try {
        payload = verifyToken(token);
      } catch {
        return null;
      }
      if (typeof payload.sub !== 'string' || typeof payload.ws !== 'string' || typeof payload.sid !== 'string' || typeof payload.role !== 'string') return null;
      return { sub: payload.sub, ws: payload.ws, role: payload.role as Role, sid: payload.sid, adm: payload.adm === true, act: typeof payload.act === 'string' ? payload.act : undefined };
    },
  };
}

export type TokenSigner = ReturnType<typeof createTokenSigner>;

export function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** API key: `atr_<prefix>_<secret>`; the prefix is public (shown in lists), the secret is hashed. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const key = `atr_${prefix}_${secret}`;
  return { key, prefix, hash: sha256(key) };
}

export function parseApiKey(key: string): { prefix: string } | null {
  const m = /^atr_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
  return m ? { prefix: m[1] } : null;
}
