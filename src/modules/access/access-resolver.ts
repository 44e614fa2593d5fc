// Resolves a principal's access at authentication, through two per-process caches:
//  * member state (custom role ids, their grants, the workspace's roles_version) per
//    (workspace, user), kept MEMBER_TTL_MS — the same 2 s as the session-state cache, so a
//    change made by another process is seen within 2 s; this process drops it at once;
//  * compiled abilities per (workspace, roles_version, base role, role set) — plus the user when
//    a condition says "their own" — shared by every member with the same roles.
// A role change bumps roles_version, so a compiled ability is never reused for newer rules.
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { builtInAccess, builtInGrants, compileAccess, isPerUser } from './abilities.ts';
import type { Grant, PrincipalAccess } from './abilities.ts';

export const MEMBER_TTL_MS = 2_000;
const CACHE_MAX = 10_000;

type MemberState = { roleIds: string[]; version: number; grants: Grant[] };

/** One round trip: the member's custom roles, their grants and the workspace's version. */
export const MEMBER_ACCESS_SQL = `select
  coalesce((select v.version from role_versions v where v.workspace_id = $1), 0)::text as version,
  coalesce((select array_agg(mr.role_id::text order by mr.role_id) from membership_roles mr
             where mr.workspace_id = $1 and mr.user_id = $2), '{}') as role_ids,
  coalesce((select json_agg(json_build_object('permission', rp.permission, 'conditions', rp.conditions) order by rp.role_id, rp.permission)
             from membership_roles mr join role_permissions rp on rp.workspace_id = mr.workspace_id and rp.role_id = mr.role_id
             where mr.workspace_id = $1 and mr.user_id = $2), '[]'::json) as grants`;

export type AccessResolver = ReturnType<typeof createAccessResolver>;

export function createAccessResolver(db: Database, log: Logger) {
  const members = new Map<string, { state: MemberState; until: number }>();
  const abilities = new Map<string, PrincipalAccess>();

  async function memberState(workspaceId: string, userId: string): Promise<MemberState> {
    const key = `${workspaceId}:${userId}`;
    const now = Date.now();
    const hit = members.get(key);
    if (hit && hit.until > now) return hit.state;
    const rows = await db.readInWorkspace<{ version: string; role_ids: string[]; grants: Grant[] }>(
      workspaceId, { name: 'access_member_state', text: MEMBER_ACCESS_SQL, values: [workspaceId, userId] },
    );
    const r = rows[0];
    const state: MemberState = { version: Number(r.version), roleIds: r.role_ids, grants: r.grants };
    if (members.size >= CACHE_MAX) members.clear();
    members.set(key, { state, until: now + MEMBER_TTL_MS });
    return state;
  }

  function compiled(principal: Principal, state: MemberState): PrincipalAccess {
    const grants = [...builtInGrants(principal.role), ...state.grants];
    const perUser = isPerUser(state.grants);
    const key = `${principal.workspaceId}:${state.version}:${principal.role}:${state.roleIds.join(',')}${perUser ? `:${principal.userId}` : ''}`;
    const hit = abilities.get(key);
    if (hit) return hit;
    let access: PrincipalAccess;
    try {
      access = compileAccess(grants, principal.userId, (grant, problem) => {
        // A stored grant the registry no longer accepts (a removed permission, a bad condition)
        // is skipped: denied, never widened.
        log.warn({ workspaceId: principal.workspaceId, permission: grant.permission, problem }, 'skipping an invalid role grant');
      });
    } catch (error) {
      // Deny every custom grant rather than fail or guess; the base role is unaffected.
      log.error({ err: error, workspaceId: principal.workspaceId }, 'could not compile custom roles; using the base role only');
      access = builtInAccess(principal.role)!;
    }
    if (abilities.size >= CACHE_MAX) abilities.clear();
    abilities.set(key, access);
    return access;
  }

  return {
    /** The principal with its custom roles and effective access. */
    async resolve(principal: Principal): Promise<Principal> {
      const base = builtInAccess(principal.role);
      if (principal.kind !== 'user' || !principal.userId || !base) {
        // API keys hold their built-in role only.
        return { ...principal, customRoleIds: [], rolesVersion: 0, access: base };
      }
      const state = await memberState(principal.workspaceId, principal.userId);
      if (state.roleIds.length === 0) return { ...principal, customRoleIds: [], rolesVersion: state.version, access: base };
      return { ...principal, customRoleIds: state.roleIds, rolesVersion: state.version, access: compiled(principal, state) };
    },
    /** Forget cached member state (after a role change in this process); other processes follow within 2 s. */
    invalidate(workspaceId?: string): void {
      if (!workspaceId) return members.clear();
      for (const key of members.keys()) if (key.startsWith(`${workspaceId}:`)) members.delete(key);
    },
  };
}
