// Resolves a principal's access at authentication, through two per-process caches:
//  * holder state (custom role ids, their grants, the workspace's roles_version) per
//    (workspace, member) or (workspace, API key), kept HOLDER_TTL_MS — the same 2 s as the
//    session-state cache, so a change made by another process is seen within 2 s; this process
//    drops it at once;
//  * compiled abilities per (workspace, roles_version, base role, role set) — plus the user when
//    a condition says "their own" — shared by every holder with the same roles.
// A role change bumps roles_version, so a compiled ability is never reused for newer rules.
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { builtInAccess, builtInGrants, compileAccess, isPerUser } from './abilities.ts';
import type { Grant, PrincipalAccess } from './abilities.ts';
import { HOLDERS } from './roles.store.ts';

export const MEMBER_TTL_MS = 2_000;
const CACHE_MAX = 10_000;

type HolderState = { roleIds: string[]; version: number; grants: Grant[] };

/** The custom roles of one holder — a member (membership_roles) or an API key (api_key_roles). */
function holderAccessSql(kind: keyof typeof HOLDERS): string {
  const { table, column } = HOLDERS[kind];
  return `select
  coalesce((select v.version from role_versions v where v.workspace_id = $1), 0)::text as version,
  coalesce((select array_agg(h.role_id::text order by h.role_id) from ${table} h
             where h.workspace_id = $1 and h.${column} = $2), '{}') as role_ids,
  coalesce((select json_agg(json_build_object('permission', rp.permission, 'conditions', rp.conditions) order by rp.role_id, rp.permission)
             from ${table} h join role_permissions rp on rp.workspace_id = h.workspace_id and rp.role_id = h.role_id
             where h.workspace_id = $1 and h.${column} = $2), '[]'::json) as grants`;
}

/** One round trip: the member's custom roles, their grants and the workspace's version. */
export const MEMBER_ACCESS_SQL = holderAccessSql('member');
/** The same for an API key. */
export const API_KEY_ACCESS_SQL = holderAccessSql('api_key');

export type AccessResolver = ReturnType<typeof createAccessResolver>;

export function createAccessResolver(db: Database, log: Logger) {
  const holders = new Map<string, { state: HolderState; until: number }>();
  const abilities = new Map<string, PrincipalAccess>();

  async function holderState(workspaceId: string, holder: { kind: 'user' | 'api_key'; id: string }): Promise<HolderState> {
    const key = `${workspaceId}:${holder.kind}:${holder.id}`;
    const now = Date.now();
    const hit = holders.get(key);
    if (hit && hit.until > now) return hit.state;
    const query = holder.kind === 'user'
      ? { name: 'access_member_state', text: MEMBER_ACCESS_SQL, values: [workspaceId, holder.id] }
      : { name: 'access_api_key_state', text: API_KEY_ACCESS_SQL, values: [workspaceId, holder.id] };
    const rows = await db.readInWorkspace<{ version: string; role_ids: string[]; grants: Grant[] }>(workspaceId, query);
    const r = rows[0];
    const state: HolderState = { version: Number(r.version), roleIds: r.role_ids, grants: r.grants };
    if (holders.size >= CACHE_MAX) holders.clear();
    holders.set(key, { state, until: now + MEMBER_TTL_MS });
    return state;
  }

  function compiled(principal: Principal, state: HolderState): PrincipalAccess {
    const grants = [...builtInGrants(principal.role), ...state.grants];
    // "Their own" conditions name the user; for an API key (no user) they grant nothing.
    const perUser = isPerUser(state.grants);
    const key = `${principal.workspaceId}:${state.version}:${principal.role}:${state.roleIds.join(',')}${perUser ? `:${principal.kind}:${principal.userId}` : ''}`;
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
      const holder = principal.kind === 'user' && principal.userId ? { kind: 'user' as const, id: principal.userId }
        : principal.kind === 'api_key' && principal.apiKeyId ? { kind: 'api_key' as const, id: principal.apiKeyId } : null;
      if (!holder || !base) return { ...principal, customRoleIds: [], rolesVersion: 0, access: base };
      const state = await holderState(principal.workspaceId, holder);
      if (state.roleIds.length === 0) return { ...principal, customRoleIds: [], rolesVersion: state.version, access: base };
      return { ...principal, customRoleIds: state.roleIds, rolesVersion: state.version, access: compiled(principal, state) };
    },
    /** Forget cached member and key state (after a role change in this process); other processes follow within 2 s. */
    invalidate(workspaceId?: string): void {
      if (!workspaceId) return holders.clear();
      for (const key of holders.keys()) if (key.startsWith(`${workspaceId}:`)) holders.delete(key);
    },
  };
}
