// Login attempts per (lower(email), ip), shared by every API process through the database.
import type { Tx } from '../../kernel/db/database.ts';

export type ThrottlePolicy = { maxAttempts: number; windowSeconds: number; lockSeconds: number };

export type Reservation = { attempt: number; retryAfterSeconds: number | null };

/**
 * Counts an attempt before the password is checked, in one atomic statement, so parallel
 * requests can't all slip through before the lock: at most `maxAttempts` checks per window.
 * An expired window or lock starts over. A live lock is returned as `retryAfterSeconds`.
 */
export async function reserveLoginAttempt(tx: Tx, email: string, ip: string, policy: ThrottlePolicy): Promise<Reservation> {
  const { rows } = await tx.query<{ failures: number; retry_after: number | null }>(
    `insert into login_attempts as a (email, ip, failures, first_failed_at) values ($1, $2, 1, now())
     on conflict (email, ip) do update set
       failures = case
         when a.locked_until > now() then a.failures
         when a.locked_until is not null or a.first_failed_at <= now() - make_interval(secs => $3) then 1
         else a.failures + 1 end,
       first_failed_at = case
         when a.locked_until > now() then a.first_failed_at
         when a.locked_until is not null or a.first_failed_at <= now() - make_interval(secs => $3) then now()
         else a.first_failed_at end,
       locked_until = case
         when a.locked_until > now() then a.locked_until
         when a.locked_until is null and a.first_failed_at > now() - make_interval(secs => $3) and a.failures + 1 > $4
           then now() + make_interval(secs => $5)
         else null end
     returning failures,
       case when locked_until is null then null else ceil(extract(epoch from locked_until - now()))::int end as retry_after`,
    [email, ip, policy.windowSeconds, policy.maxAttempts, policy.lockSeconds],
  );
  const r = rows[0];
  return { attempt: r.failures, retryAfterSeconds: r.retry_after === null ? null : Math.max(1, r.retry_after) };
}

/** After a failed check: lock once the window holds `maxAttempts` failures. */
export async function lockIfExhausted(tx: Tx, email: string, ip: string, policy: ThrottlePolicy): Promise<void> {
  await tx.query(
    `update login_attempts set locked_until = now() + make_interval(secs => $4)
     where email = $1 and ip = $2 and locked_until is null and failures >= $3`,
    [email, ip, policy.maxAttempts, policy.lockSeconds],
  );
}

/** A success clears the record. */
export async function clearLoginAttempts(tx: Tx, email: string, ip: string): Promise<void> {
  await tx.query('delete from login_attempts where email = $1 and ip = $2', [email, ip]);
}
