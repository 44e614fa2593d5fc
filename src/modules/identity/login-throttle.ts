// Login throttling: 5 failures for one email from one address within 15 minutes lock that pair
// for 15 minutes (429 + Retry-After). Failures from the third on are answered a little later.
// Used by every check of a password (login, invitation acceptance for an existing account,
// password change, MFA disable), so none of them is a side door for guessing.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../kernel/db/database.ts';
import { identityErrors } from './identity.errors.ts';
import { clearLoginAttempts, lockIfExhausted, reserveLoginAttempt } from './login-attempts.store.ts';
import type { ThrottlePolicy } from './login-attempts.store.ts';
import { normalizeEmail } from './users.store.ts';
import { counters } from '../../kernel/counters.ts';

export const LOGIN_THROTTLE: ThrottlePolicy = { maxAttempts: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 };

export function throttledError(retryAfterSeconds: number) {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return identityErrors.create('LOGIN_THROTTLED', `Too many failed attempts for this email from your address. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
    extra: { retryAfterSeconds },
  });
}

/** Count this attempt, or throw LOGIN_THROTTLED while the pair is locked. Returns the attempt number in the window. */
export async function beginAttempt(db: Database, email: string, ip: string): Promise<number> {
  const r = await db.withIdentity((tx) => reserveLoginAttempt(tx, normalizeEmail(email), ip, LOGIN_THROTTLE));
  if (r.retryAfterSeconds !== null) {
    counters.loginFailures.inc({ reason: 'locked' });
    throw throttledError(r.retryAfterSeconds);
  }
  return r.attempt;
}

/** The attempt failed: lock when the window is exhausted, and slow the answer down a little. */
export async function failAttempt(db: Database, email: string, ip: string, attempt: number): Promise<void> {
  await db.withIdentity((tx) => lockIfExhausted(tx, normalizeEmail(email), ip, LOGIN_THROTTLE));
  if (attempt >= 3) await sleep(Math.min(1000, 250 * 2 ** (attempt - 3)));
}

export async function clearAttempts(db: Database, email: string, ip: string): Promise<void> {
  await db.withIdentity((tx) => clearLoginAttempts(tx, normalizeEmail(email), ip));
}
