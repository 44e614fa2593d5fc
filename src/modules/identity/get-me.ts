// GET /auth/me: who is calling, in which workspace, with which role and effective permissions.
import type { Principal } from '../../kernel/http/principal.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import { effectivePermissions } from '../access/index.ts';
import type { Permission, Role } from '../access/index.ts';
import type { IdentityContext } from './identity.context.ts';
import { readMe } from './me.store.ts';
import type { MeMembership, MeUser, MeWorkspace } from './me.store.ts';

export type Me = {
  user: MeUser | null;
  workspace: MeWorkspace;
  role: Role;
  permissions: Permission[];
  memberships: MeMembership[];
  sessionId: string | null;
  principalType: 'user' | 'api_key';
};

export async function getMe(ctx: IdentityContext, principal: Principal): Promise<Me> {
  const isUser = principal.kind === 'user';
  const row = await readMe(ctx.db, isUser ? principal.userId : null, principal.workspaceId);
  // The authenticator just checked both exist; a miss here is a race with a deletion.
  if (!row.workspace || (isUser && !row.user)) throw kernelErrors.create('TOKEN_INVALID', 'The session has ended; log in again');
  return {
    user: isUser ? row.user : null,
    workspace: row.workspace,
    role: principal.role,
    // The union of the base role and the custom roles, resolved (and cached) at authentication.
    permissions: effectivePermissions(principal),
    memberships: isUser ? row.memberships : [],
    sessionId: principal.sessionId,
    principalType: principal.kind,
  };
}
