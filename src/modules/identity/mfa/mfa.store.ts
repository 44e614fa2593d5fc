// TOTP state on users (secret sealed at rest, enabled flag, last accepted step, hashed
// recovery codes) and the pending second-factor challenges of a login.
import type { Tx } from '../../../kernel/db/database.ts';

export async function setPendingTotpSecret(tx: Tx, userId: string, sealedSecret: string): Promise<boolean> {
  const r = await tx.query(
    `update users set totp_secret = $2, totp_last_step = null, recovery_codes = '{}'
     where id = $1 and totp_enabled_at is null`,
    [userId, sealedSecret],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function enableTotp(tx: Tx, userId: string, step: number, recoveryHashes: string[]): Promise<void> {
  await tx.query('update users set totp_enabled_at = now(), totp_last_step = $2, recovery_codes = $3 where id = $1', [userId, step, recoveryHashes]);
}

export async function disableTotp(tx: Tx, userId: string): Promise<void> {
  await tx.query(`update users set totp_secret = null, totp_enabled_at = null, totp_last_step = null, recovery_codes = '{}' where id = $1`, [userId]);
  await tx.query('delete from mfa_challenges where user_id = $1', [userId]);
}

export async function replaceRecoveryCodes(tx: Tx, userId: string, recoveryHashes: string[]): Promise<void> {
  await tx.query('update users set recovery_codes = $2 where id = $1', [userId, recoveryHashes]);
}

export type ChallengeRow = { id: string; user_id: string; workspace_id: string | null; expires_at: Date; used_at: Date | null; attempts: number };

/** A new challenge; the user's spent or expired ones are swept on the way. */
export async function insertChallenge(tx: Tx, input: { userId: string; workspaceId: string; tokenHash: string; ttlSeconds: number }): Promise<void> {
  await tx.query('delete from mfa_challenges where user_id = $1 and (used_at is not null or expires_at < now())', [input.userId]);
  await tx.query(
    `insert into mfa_challenges (user_id, workspace_id, token_hash, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))`,
    [input.userId, input.workspaceId, input.tokenHash, input.ttlSeconds],
  );
}

/** A live challenge (not used, not expired), locked. */
export async function findLiveChallengeForUpdate(tx: Tx, tokenHash: string): Promise<ChallengeRow | null> {
  const { rows } = await tx.query<ChallengeRow>(
    `select id, user_id, workspace_id, expires_at, used_at, attempts from mfa_challenges
     where token_hash = $1 and used_at is null and expires_at > now() for update`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

/** A wrong code: count it; the challenge is spent after `max` wrong codes. */
export async function recordChallengeFailure(tx: Tx, id: string, max: number): Promise<void> {
  await tx.query(`update mfa_challenges set attempts = attempts + 1, used_at = case when attempts + 1 >= $2 then now() else used_at end where id = $1`, [id, max]);
}

export async function markChallengeUsed(tx: Tx, id: string): Promise<void> {
  await tx.query('update mfa_challenges set used_at = now() where id = $1', [id]);
}
