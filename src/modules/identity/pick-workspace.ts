import type { Role } from '../access/index.ts';
import { identityErrors } from './identity.errors.ts';
import type { Membership } from './users.store.ts';

export type ActiveMembership = Membership & { role: Role };

/**
 * The workspace a login lands in: the one asked for (by id or slug; it must be an active
 * membership), else the user's first active membership.
 */
export function pickWorkspace(memberships: Membership[], requested?: string): ActiveMembership {
  const active = memberships.filter((m) => m.status === 'active') as ActiveMembership[];
  if (requested !== undefined) {
    const wanted = requested.trim().toLowerCase();
    const hit = active.find((m) => m.workspaceId === wanted || m.slug === wanted);
    if (!hit) throw identityErrors.create('WORKSPACE_NOT_MEMBER', `You are not a member of an active workspace "${requested}"`);
    return hit;
  }
  if (active.length === 0) throw identityErrors.create('NO_WORKSPACE', 'Ask a workspace owner to invite you, or sign up to create a workspace');
  return active[0];
}

/** An active membership in one workspace, for switch and MFA completion. */
export function findActiveMembership(memberships: Membership[], workspaceId: string): ActiveMembership | null {
  return (memberships.find((m) => m.workspaceId === workspaceId && m.status === 'active') as ActiveMembership | undefined) ?? null;
}
