// Who is calling, as the kernel knows it: the identity and the workspace. What the caller may do
// is a module's business: access adds its roles and grants to this interface (declaration
// merging, src/modules/access/principal.ts) and fills in the kernel's Authorizer at the root.

/** Who is calling, resolved from a JWT or an API key. The workspace comes from here only. */
export interface Principal {
  kind: 'user' | 'api_key';
  userId: string | null;
  apiKeyId: string | null;
  workspaceId: string;
  sessionId: string | null;
  isPlatformAdmin: boolean;
  /** The real actor (a platform admin or a holder of impersonation.start) while impersonating. */
  impersonatorId?: string | null;
}

/**
 * What a route requires. `public`: nothing. `authenticated`: a user or an API key.
 * `session`: a logged-in user (not an API key). `platform-admin`: a platform admin session.
 */
export type RouteAuth = 'public' | 'authenticated' | 'session' | 'platform-admin';

/** Does the principal hold the route's permission (`config.permission`)? Fails closed: false denies. */
export type Authorizer = (principal: Principal, permission: string) => boolean;
