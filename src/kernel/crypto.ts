// Small, purpose-bound cryptography helpers. Keys are derived from the root secret per purpose
// (HMAC-SHA256), so one leaked derived key never reveals another. No business rules here.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key for one purpose, e.g. `deriveKey(config.secret, 'atrium:totp:v1')`. */
export function deriveKey(rootSecret: string, purpose: string): Buffer {
  return createHmac('sha256', rootSecret).update(purpose).digest();
}

/**
 * AES-256-GCM. The additional data binds a ciphertext to its owner (e.g. a user id): a value
 * copied onto another row does not decrypt. Output: `v1.<iv>.<ciphertext>.<tag>` (base64url).
 */
export function encrypt(key: Buffer, plaintext: string, additionalData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** Returns the plaintext, or null when the value is malformed, tampered with or bound to other data. */
export function decrypt(key: Buffer, sealed: string, additionalData: string): string | null {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  const iv = Buffer.from(parts[1], 'base64url');
  const body = Buffer.from(parts[2], 'base64url');
  const tag = Buffer.from(parts[3], 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Keyed hash (HMAC-SHA256, hex) for short secrets such as recovery codes: a database dump alone can't brute-force them. */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/** An AES-256-GCM ciphertext in parts, for columns that keep them apart (bytea). */
export type SealedParts = { iv: Buffer; ciphertext: Buffer; tag: Buffer };

/** AES-256-GCM over bytes, with additional data binding the result to its owner (see `encrypt`). */
export function encryptParts(key: Buffer, plaintext: Buffer, additionalData: string): SealedParts {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext bytes, or null when tampered with, under another key or bound to other data. */
export function decryptParts(key: Buffer, sealed: SealedParts, additionalData: string): Buffer | null {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/** 32 random bytes: a fresh AES-256 key. */
export function generateKey(): Buffer {
  return randomBytes(32);
}
