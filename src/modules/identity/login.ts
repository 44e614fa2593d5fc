// POST /auth/login. Wrong password and unknown email give the same answer at the same cost
// (verifyPassword hashes even without a user). Attempts are counted before the check
// (login-throttle.ts). With TOTP enabled the password alone yields a short-lived challenge,
// and the attempt stays counted until the second factor succeeds, so knowing the password
// doesn't reset the counter that bounds code guessing.
// Audit: `user.logged_in` with the session it opens; `user.login_failed` in the workspace the
// login aimed at when the email is a user's (an unknown email has no workspace: not recorded).
import type { AuditContext } from '../audit/index.ts';
import { withActor } from '../audit/index.ts';
import type { ClientInfo, IdentityContext } from './identity.context.ts';
import { identityErrors } from './identity.errors.ts';
import { beginAttempt, clearAttempts, failAttempt } from './login-throttle.ts';
import { insertChallenge } from './mfa/mfa.store.ts';
import { verifyPassword } from './passwords.ts';
import { pickWorkspace } from './pick-workspace.ts';
import type { TokenPair } from './sessions.ts';
import { randomToken, sha256 } from './tokens.ts';
import { findUserByEmail, listUserMemberships, normalizeEmail } from './users.store.ts';
import type { Membership } from './users.store.ts';
import { counters } from '../../kernel/counters.ts';

export const MFA_CHALLENGE_TTL_SECONDS = 300;

export type LoginInput = { email: string; password: string; workspace?: string };

export type LoginResult =
  | ({ mfaRequired: false; workspaceId: string } & TokenPair)
  | { mfaRequired: true; challengeToken: string; expiresIn: number };

/** The workspace a failed login aimed at: the one asked for if the user belongs to it, else their first. */
function targetWorkspace(memberships: Membership[], requested: string | undefined): string | null {
  const wanted = requested?.trim().toLowerCase();
  const hit = wanted ? memberships.find((m) => m.workspaceId === wanted || m.slug === wanted) : undefined;
  return (hit ?? memberships.find((m) => m.status === 'active') ?? null)?.workspaceId ?? null;
}

export async function login(ctx: IdentityContext, input: LoginInput, client: ClientInfo, audit: AuditContext): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const attempt = await beginAttempt(ctx.db, email, client.ip);
  const user = await ctx.db.withIdentity((tx) => findUserByEmail(tx, email));
  const isValid = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !isValid) {
    await failAttempt(ctx.db, email, client.ip, attempt);
    counters.loginFailures.inc({ reason: 'invalid_credentials' });
    if (user) {
      await ctx.db.withIdentity(async (tx) => {
        const workspaceId = targetWorkspace(await listUserMemberships(tx, user.id), input.workspace);
        if (!workspaceId) return;
        await ctx.audit.record(tx, withActor(audit, { type: 'user', id: user.id }), {
          workspaceId, action: 'user.login_failed', targetType: 'user', targetId: user.id, outcome: 'failure',
          diff: { after: { reason: 'invalid_credentials' } },
        });
      });
    }
    throw identityErrors.create('INVALID_CREDENTIALS');
  }
  const isMfaEnabled = user.totp_enabled_at !== null;
  if (!isMfaEnabled) await clearAttempts(ctx.db, email, client.ip);

  return ctx.db.withIdentity(async (tx): Promise<LoginResult> => {
    const workspace = pickWorkspace(await listUserMemberships(tx, user.id), input.workspace);
    if (isMfaEnabled) {
      const challengeToken = randomToken('mfa_');
      await insertChallenge(tx, { userId: user.id, workspaceId: workspace.workspaceId, tokenHash: sha256(challengeToken), ttlSeconds: MFA_CHALLENGE_TTL_SECONDS });
      return { mfaRequired: true, challengeToken, expiresIn: MFA_CHALLENGE_TTL_SECONDS };
    }
    const pair = await ctx.sessions.openSession(tx, {
      userId: user.id, workspaceId: workspace.workspaceId, role: workspace.role, isPlatformAdmin: user.is_platform_admin, ip: client.ip, userAgent: client.userAgent,
    });
    await ctx.audit.record(tx, withActor(audit, { type: 'user', id: user.id }), {
      workspaceId: workspace.workspaceId, action: 'user.logged_in', targetType: 'session', targetId: pair.sessionId,
      diff: { after: { userId: user.id, mfa: false } },
    });
    return { mfaRequired: false, workspaceId: workspace.workspaceId, ...pair };
  });
}
