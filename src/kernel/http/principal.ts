import type { Role } from '../../modules/access/index.ts';

/** Who is calling, resolved from a JWT or an API key. The workspace comes from here only. */
export type Principal = {
  kind: 'user' | 'api_key';
  userId: string | null;
  apiKeyId: string | null;
  workspaceId: string;
  role: Role;
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
