// argon2id with OWASP's recommended parameters (m=19 MiB, t=2, p=1).
import argon2 from 'argon2';
import { identityErrors } from './identity.errors.ts';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    // Same cost as a real check, so timing doesn't tell whether the account exists.
    await argon2.hash(password, OPTIONS);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** At least 10 characters, not all one class. */
export function assertPasswordStrength(password: string): void {
  if (password.length < 10) throw identityErrors.create('WEAK_PASSWORD', 'Use at least 10 characters');
  if (password.length > 200) throw identityErrors.create('WEAK_PASSWORD', 'Use at most 200 characters');
  if (/^(.)\1+$/.test(password)) throw identityErrors.create('WEAK_PASSWORD', 'Do not repeat a single character');
}
