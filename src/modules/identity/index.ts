// The identity module's door: users, sessions, tokens, API keys, MFA, invitations.
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { MailModule } from '../mail/index.ts';
import { createTokenSigner } from './tokens.ts';
import { createSessionService } from './sessions.ts';
import { createAuthenticator } from './authenticate.ts';
import { assertPasswordStrength, hashPassword, verifyPassword } from './passwords.ts';
import { addMembership, findUserByEmail, findUserById, insertUser, listUserMemberships, normalizeEmail, toUser } from './users.store.ts';

export type { TokenPair, SessionContext } from './sessions.ts';
export type { User, Membership } from './users.store.ts';
export { identityErrors } from './identity.errors.ts';

export function createIdentityModule(deps: KernelDeps, _modules: { mail: MailModule }) {
  const { config, db } = deps;
  const signer = createTokenSigner(config.secret, config.accessTokenTtlSeconds);
  const sessions = createSessionService(db, signer, config.refreshTokenTtlDays);
  const authenticator = createAuthenticator(db, signer);
  const routes: RoutePlugin = async () => {};

  return {
    routes,
    authenticate: authenticator.authenticate,
    invalidateSessionCache: authenticator.invalidate,
    sessions,
    signer,
    passwords: { hash: hashPassword, verify: verifyPassword, assertStrength: assertPasswordStrength },
    users: { findByEmail: findUserByEmail, findById: findUserById, insert: insertUser, memberships: listUserMemberships, addMembership, normalizeEmail, toUser },
  };
}

export type IdentityModule = ReturnType<typeof createIdentityModule>;
