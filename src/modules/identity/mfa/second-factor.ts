// Checks a second factor against a user row locked by the caller (select … for update), so a
// code can't be spent twice by two concurrent requests. The caller persists the outcome with
// consumeSecondFactor in the same transaction.
import { decrypt } from '../../../kernel/crypto.ts';
import type { Tx } from '../../../kernel/db/database.ts';
import { hashRecoveryCode, matchTotpStep } from './totp.ts';
import type { UserRow } from '../users.store.ts';

export type SecondFactorMatch = { kind: 'totp'; step: number } | { kind: 'recovery'; remaining: string[] };

/** The user's TOTP secret (enabled or pending), or null if none or unreadable (fail closed). */
export function readTotpSecret(key: Buffer, user: UserRow): string | null {
  return user.totp_secret ? decrypt(key, user.totp_secret, user.id) : null;
}

export function checkSecondFactor(
  keys: { totp: Buffer; recoveryCodes: Buffer },
  user: UserRow,
  code: string,
  options: { allowRecoveryCode: boolean },
): SecondFactorMatch | null {
  const secret = readTotpSecret(keys.totp, user);
  if (!secret) return null;
  const trimmed = code.replace(/\s/g, '');
  if (/^\d{6}$/.test(trimmed)) {
    const step = matchTotpStep(secret, trimmed);
    // A step at or before the last accepted one is a replay.
    if (step === null || (user.totp_last_step !== null && step <= Number(user.totp_last_step))) return null;
    return { kind: 'totp', step };
  }
  if (!options.allowRecoveryCode) return null;
  const hash = hashRecoveryCode(keys.recoveryCodes, code);
  if (!user.recovery_codes.includes(hash)) return null;
  return { kind: 'recovery', remaining: user.recovery_codes.filter((h) => h !== hash) };
}

export async function consumeSecondFactor(tx: Tx, userId: string, match: SecondFactorMatch): Promise<void> {
  if (match.kind === 'totp') {
    await tx.query('update users set totp_last_step = $2 where id = $1', [userId, match.step]);
  } else {
    await tx.query('update users set recovery_codes = $2 where id = $1', [userId, match.remaining]);
  }
}
