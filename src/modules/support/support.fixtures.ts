// Test fixtures: workspaces with a session per role, platform admins, audit rows and workflow
// executions (inserted on the platform path: the workflows module owns that table).
import type { Platform } from '../../main.ts';

export { createPlatformAdminSession, createTenant } from '../../../test/helpers/tenants.ts';
export type { Tenant } from '../../../test/helpers/tenants.ts';

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
    'select workspace_id, action, actor_type, actor_id, target_id, request_id from audit_events where target_id = $1 order by id', [targetId]));
  return rows;
}
