// POST /auth/login/mfa: the second step of a login with TOTP enabled. The code is a 6-digit
// TOTP (a time step is accepted once: users.totp_last_step) or a recovery code (single use).
// Five wrong codes spend the challenge. Audit: `user.login_failed` (wrong code) and
// `user.logged_in`, in the challenge's workspace and transaction.
import type { AuditContext } from '../../audit/index.ts';
import { withActor } from '../../audit/index.ts';
import type { ClientInfo, IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { clearAttempts } from '../login-throttle.ts';
import { findLiveChallengeForUpdate, markChallengeUsed, recordChallengeFailure } from './mfa.store.ts';
import { findActiveMembership } from '../pick-workspace.ts';
import { checkSecondFactor, consumeSecondFactor } from './second-factor.ts';
import type { TokenPair } from '../sessions.ts';
import { sha256 } from '../tokens.ts';
import { findUserByIdForUpdate, listUserMemberships } from '../users.store.ts';
import { counters } from '../../../kernel/counters.ts';

const MAX_CODE_ATTEMPTS = 5;

export async function completeMfaLogin(
  ctx: IdentityContext,
  input: { challengeToken: string; code: string },
  client: ClientInfo,
  audit: AuditContext,
): Promise<TokenPair & { workspaceId: string }> {
  const outcome = await ctx.db.withIdentity(async (tx) => {
    const challenge = await findLiveChallengeForUpdate(tx, sha256(input.challengeToken));
    if (!challenge || !challenge.workspace_id) return { kind: 'challenge_invalid' as const };
    const user = await findUserByIdForUpdate(tx, challenge.user_id);
    if (!user || user.totp_enabled_at === null) return { kind: 'challenge_invalid' as const };
    const match = checkSecondFactor(ctx.keys, user, input.code, { allowRecoveryCode: true });
    if (!match) {
      await recordChallengeFailure(tx, challenge.id, MAX_CODE_ATTEMPTS);
      counters.loginFailures.inc({ reason: 'mfa_code' });
      await ctx.audit.record(tx, withActor(audit, { type: 'user', id: user.id }), {
        workspaceId: challenge.workspace_id, action: 'user.login_failed', targetType: 'user', targetId: user.id, outcome: 'failure',
        diff: { after: { reason: 'mfa_code_invalid' } },
      });
      return { kind: 'code_invalid' as const };
    }
    await consumeSecondFactor(tx, user.id, match);
    await markChallengeUsed(tx, challenge.id);
    // The membership may have changed in the minutes since the password step.
    const membership = findActiveMembership(await listUserMemberships(tx, user.id), challenge.workspace_id);
    if (!membership) return { kind: 'workspace_gone' as const };
    const pair = await ctx.sessions.openSession(tx, {
      userId: user.id, workspaceId: membership.workspaceId, role: membership.role, isPlatformAdmin: user.is_platform_admin, ip: client.ip, userAgent: client.userAgent,
    });
    await ctx.audit.record(tx, withActor(audit, { type: 'user', id: user.id }), {
      workspaceId: membership.workspaceId, action: 'user.logged_in', targetType: 'session', targetId: pair.sessionId,
      diff: { after: { userId: user.id, mfa: true, factor: match.kind } },
    });
    return { kind: 'ok' as const, email: user.email, pair: { ...pair, workspaceId: membership.workspaceId } };
  });
  // Failures are raised after the transaction so the attempt count commits.
  if (outcome.kind === 'challenge_invalid') throw identityErrors.create('MFA_CHALLENGE_INVALID', 'Log in again with your password');
  if (outcome.kind === 'code_invalid') throw identityErrors.create('MFA_CODE_INVALID', 'The code is wrong, expired or was already used');
  if (outcome.kind === 'workspace_gone') throw identityErrors.create('WORKSPACE_NOT_MEMBER', 'You are no longer a member of this workspace; log in again');
  await clearAttempts(ctx.db, outcome.email, client.ip);
  return outcome.pair;
}
