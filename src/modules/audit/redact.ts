// Secret fields never reach the audit trail: any key that names a credential is replaced by
// "[redacted]" at every depth of a diff, before the row is written (and hashed).
export const REDACTED = '[redacted]';

// password, secret, token (accessToken, refreshToken…), key_hash/keyHash, totp, recovery codes,
// and `value` (the secrets vault's write-only field).
const SECRET_KEY = /password|secret|token|key_?hash|totp|recovery|^value$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `input` with every secret-named key's value redacted. */
export function redactSecrets<T>(input: T): T {
  return redactValue(input, 0) as T;
}

function redactValue(value: unknown, depth: number): unknown {
  // Diffs are small; a cycle or absurd depth is a caller bug, not something to store.
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = isSecretKey(key) && v !== null && v !== undefined ? REDACTED : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
