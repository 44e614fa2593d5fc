// Test fixtures: workspaces with a session per role, platform admins, audit rows and workflow
// executions (inserted on the platform path: the workflows module owns that table).
import type { Platform } from '../../main.ts';
import type { Role } from '../access/index.ts';

export type Tenant = { workspaceId: string; slug: string; tokens: Record<Role, string>; userIds: Record<Role, string> };

/** A workspace with one user per built-in role, each with a session token. */
export async function createTenant(platform: Platform, slug: string): Promise<Tenant> {
  const roles: Role[] = ['owner', 'admin', 'member', 'viewer'];
  const created = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>('insert into workspaces (slug, name) values ($1, $2) returning id', [slug, `Workspace ${slug}`]);
    const userIds = {} as Record<Role, string>;
    for (const role of roles) {
      const u = await tx.query<{ id: string }>('insert into users (email, name) values ($1, $2) returning id', [`${role}-${slug}@example.com`, `${role} of ${slug}`]);
      await tx.query('insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)', [w.rows[0].id, u.rows[0].id, role]);
      userIds[role] = u.rows[0].id;
    }
    return { workspaceId: w.rows[0].id, userIds };
  });
  const tokens = {} as Record<Role, string>;
  for (const role of roles) {
    const pair = await platform.db.withWorkspace(created.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: created.userIds[role], workspaceId: created.workspaceId, role, isPlatformAdmin: false }));
    tokens[role] = pair.accessToken;
  }
  return { ...created, slug, tokens };
}

/** A platform admin (with their Operations workspace) and a session token. */
export async function createPlatformAdminSession(platform: Platform, email: string, name: string): Promise<{ userId: string; token: string }> {
  const created = await platform.admin.createPlatformAdmin({ email, password: 'operator password 1', name });
  const pair = await platform.db.withWorkspace(created.workspace.id, (tx) =>
    platform.identity.sessions.openSession(tx, { userId: created.user.id, workspaceId: created.workspace.id, role: 'owner', isPlatformAdmin: true }));
  return { userId: created.user.id, token: pair.accessToken };
}

/** A workflow with one version and one pending execution in the workspace; the execution's id. */
export async function createExecution(platform: Platform, workspaceId: string): Promise<string> {
  return platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>('insert into workflows (workspace_id, name) values ($1, $2) returning id', [workspaceId, 'Fixture workflow']);
    const v = await tx.query<{ id: string }>(`insert into workflow_versions (workspace_id, workflow_id, version, definition) values ($1, $2, 1, '{"steps":[]}') returning id`, [workspaceId, w.rows[0].id]);
    const e = await tx.query<{ id: string }>(`insert into workflow_executions (workspace_id, workflow_id, version_id, trigger, timeout_ms) values ($1, $2, $3, 'api', 60000) returning id`,
      [workspaceId, w.rows[0].id, v.rows[0].id]);
    return e.rows[0].id;
  });
}

export type AuditRow = { workspace_id: string; action: string; actor_type: string; actor_id: string | null; target_id: string | null; request_id: string | null };

/** Audit events about one target, in chain order (platform path). */
export async function auditEventsOf(platform: Platform, targetId: string): Promise<AuditRow[]> {
  const { rows } = await platform.db.withPlatform((tx) => tx.query<AuditRow>(
    'select workspace_id, action, actor_type, actor_id, target_id, request_id from audit_events where target_id = $1 order by occurred_at, seq', [targetId]));
  return rows;
}
