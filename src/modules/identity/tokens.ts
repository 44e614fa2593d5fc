// Access tokens: HS256 JWTs (15 minutes) with sub, ws (workspace), role and sid (session).
// Refresh tokens and API keys: opaque random strings, stored as SHA-256 hashes.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Role } from '../access/index.ts';

export type AccessClaims = { sub: string; ws: string; role: Role; sid: string; adm?: boolean; act?: string };

export function createTokenSigner(secret: string, ttlSeconds: number) {
  const key = createHmac('sha256', secret).update('atrium:jwt:v1').digest();
  return {
    ttlSeconds,
    async sign(claims: AccessClaims): Promise<string> {
      const { sub, ...rest } = claims;
      return new SignJWT(rest)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(sub)
        .setIssuedAt()
        .setIssuer('atrium')
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },
    /** Returns the claims, or null for anything invalid or expired. */
    async verify(token: string): Promise<AccessClaims | null> {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'atrium', algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.ws !== 'string' || typeof payload.sid !== 'string' || typeof payload.role !== 'string') return null;
        return { sub: payload.sub, ws: payload.ws, role: payload.role as Role, sid: payload.sid, adm: payload.adm === true, act: typeof payload.act === 'string' ? payload.act : undefined };
      } catch {
        return null;
      }
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
