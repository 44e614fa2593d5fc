// The identity module's door: users, sessions, tokens, API keys, MFA, members, invitations.
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import { sharedForget } from '../../kernel/module.ts';
import type { MailModule } from '../mail/index.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { createInvitation } from './invitations/create-invitation.ts';
import type { InvitationRole } from './invitations/invitations.store.ts';
import type { AccessModule } from '../access/index.ts';
import { createTokenSigner } from './tokens.ts';
import { countMembers, listWorkspaceMembers, promoteToPlatformAdmin, searchUsers } from './directory.store.ts';
import { apiKeyExists, apiKeyNames } from './api-keys/api-keys.store.ts';
import { createSessionService } from './sessions.ts';
import { createAuthenticator } from './authenticate.ts';
import { assertPasswordStrength, hashPassword, verifyPassword } from './passwords.ts';
import { addMembership, findUserByEmail, findUserById, insertUser, listUserMemberships, normalizeEmail, toUser } from './users.store.ts';
import { deriveIdentityKeys } from './identity.context.ts';
import type { IdentityContext } from './identity.context.ts';
import { authRoutes } from './auth.routes.ts';
import { mfaRoutes } from './mfa/mfa.routes.ts';
import { apiKeyRoutes } from './api-keys/api-keys.routes.ts';
import { memberRoutes } from './members/members.routes.ts';
import { invitationRoutes } from './invitations/invitations.routes.ts';
import { impersonationRoutes } from './impersonation/impersonation.routes.ts';
import { EXPIRE_IMPERSONATION_QUEUE, expireImpersonation } from './impersonation/expire-impersonation.job.ts';
import type { ExpireImpersonationPayload } from './impersonation/expire-impersonation.job.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import { preferencesRoutes } from './preferences.routes.ts';

export type { TokenPair, SessionContext } from './sessions.ts';
export type { WorkspaceMember, AdminUser } from './directory.store.ts';
export type { User, Membership } from './users.store.ts';
export { identityErrors } from './identity.errors.ts';
export { ME_SQL } from './me.store.ts';
export { LIST_API_KEYS_SQL } from './api-keys/api-keys.store.ts';
import { issuePlatformKey } from './api-keys/create-api-key.ts';

export function createIdentityModule(deps: KernelDeps, modules: { mail: MailModule; audit: AuditModule; access: AccessModule; jobs: JobEngine }) {
  const { config, db } = deps;
  const signer = createTokenSigner(config.secret, config.accessTokenTtlSeconds);
  const audit = modules.audit;
  const access = modules.access;
  const authenticator = createAuthenticator(db, signer, access.resolve);
  // A session or key revoked (a member removed, a password changed…) on one process is refused by all of them at once.
  const invalidateAuth = sharedForget(deps, 'identity.auth', authenticator.invalidate);
  const sessions = createSessionService(db, signer, config.refreshTokenTtlDays, { onRevoked: (id) => invalidateAuth(id) });
  const ctx: IdentityContext = {
    db,
    config,
    sessions,
    mail: modules.mail,
    audit,
    access,
    keys: deriveIdentityKeys(config.secret),
    invalidateSessionCache: invalidateAuth,
    jobs: modules.jobs,
  };
  modules.jobs?.define<ExpireImpersonationPayload>({ name: EXPIRE_IMPERSONATION_QUEUE, concurrency: 2, handler: (job) => expireImpersonation(ctx, job) });
  const routes: RoutePlugin = async (app) => {
    await app.register(authRoutes(ctx));
    await app.register(mfaRoutes(ctx));
    await app.register(apiKeyRoutes(ctx));
    await app.register(memberRoutes(ctx));
    await app.register(invitationRoutes(ctx));
    await app.register(impersonationRoutes(ctx));
    await app.register(preferencesRoutes(ctx));
  };

  return {
    routes,
    authenticate: authenticator.authenticate,
    invalidateSessionCache: invalidateAuth,
    sessions,
    signer,
    passwords: { hash: hashPassword, verify: verifyPassword, assertStrength: assertPasswordStrength },
    users: { findByEmail: findUserByEmail, findById: findUserById, insert: insertUser, memberships: listUserMemberships, addMembership, normalizeEmail, toUser },
    /** Cross-workspace user directory, for the platform path (withPlatform) only. */
    /** Invite someone as the principal (agents' tools): the same role rules, mail and audit as the route. */
    invitations: { create: (principal: Principal, input: { email: string; role: InvitationRole }, audit: AuditContext) => createInvitation(ctx, principal, input, audit) },
    directory: { countMembers, listWorkspaceMembers, searchUsers, promoteToPlatformAdmin },
    apiKeyExists,
    /** An API key issued by the platform path (`atrium tenant create`), audited; the key is in the answer only. */
    issuePlatformKey: (workspaceId: string, input: { name: string; role: 'admin' | 'member' | 'viewer' }, audit: AuditContext) => issuePlatformKey(ctx, workspaceId, input, audit),
    /** Names of API keys by id, for reports (whatever the caller's transaction may see). */
    apiKeyNames,
  };
}

export type IdentityModule = ReturnType<typeof createIdentityModule>;
