import type { PrincipalAccess, Role } from '../../modules/access/index.ts';

/** Who is calling, resolved from a JWT or an API key. The workspace comes from here only. */
export type Principal = {
  kind: 'user' | 'api_key';
  userId: string | null;
  apiKeyId: string | null;
  workspaceId: string;
  /** The base role: the membership's built-in role (or the API key's). */
  role: Role;
  /** Custom roles held on top of `role` (membership_roles; none for API keys). */
  customRoleIds?: readonly string[];
  /** The workspace's roles_version the access below was resolved at. */
  rolesVersion?: number;
  /**
   * What the principal may do: the union of its roles, resolved (and cached) at authentication
   * by src/modules/access. Absent: the base role's permissions only. Checked with `can()`.
   */
  access?: PrincipalAccess;
  sessionId: string | null;
  isPlatformAdmin: boolean;
  /** The real actor (a platform admin or a holder of impersonation.start) while impersonating. */
  impersonatorId?: string | null;
};

/**
 * What a route requires. `public`: nothing. `authenticated`: a user or an API key.
 * `session`: a logged-in user (not an API key). `platform-admin`: a platform admin session.
 */
export type RouteAuth = 'public' | 'authenticated' | 'session' | 'platform-admin';
