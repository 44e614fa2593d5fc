// What access adds to the kernel's principal and to every route's config: the roles a principal
// holds and what they grant (resolved at authentication), and the permission a route requires.
import type { PrincipalAccess } from './abilities.ts';
import type { Permission, Role } from './permissions.ts';

declare module '../../kernel/http/principal.ts' {
  interface Principal {
    /** The base role: the membership's built-in role (or the API key's). */
    role: Role;
    /** Custom roles held on top of `role` (membership_roles, api_key_roles). */
    customRoleIds?: readonly string[];
    /** The workspace's roles_version the access below was resolved at. */
    rolesVersion?: number;
    /**
     * What the principal may do: the union of its roles, resolved (and cached) at authentication.
     * Absent: the base role's permissions only. Checked with `can()`.
     */
    access?: PrincipalAccess;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission the route requires (checked by the kernel through access's authorizer). */
    permission?: Permission;
  }
}

export {};
