// TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, as every authenticator app expects) and
// recovery codes. Codes are matched to their time step so a step is accepted once only.
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { keyedHash } from '../../../kernel/crypto.ts';

const PERIOD_SECONDS = 30;
const ISSUER = 'Atrium';

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secretBase32: string, accountEmail: string): string {
  return new TOTP({ issuer: ISSUER, label: accountEmail, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS }).toString();
}

/** The time step a 6-digit code belongs to (one step of clock drift either way), or null. */
export function matchTotpStep(secretBase32: string, code: string, now: number = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

// 32 symbols (no l, o, 0, 1: easy to read back), 10 per code: 50 bits each.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export function generateRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const chars = [...randomBytes(10)].map((b) => ALPHABET[b & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Case, spaces and dashes don't matter when a code is typed back. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function hashRecoveryCode(key: Buffer, code: string): string {
  return keyedHash(key, normalizeRecoveryCode(code));
}
