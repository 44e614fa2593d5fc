// Test fixtures: workspaces with a session per role, and a platform admin, on a test platform.
import type { Platform } from '../../main.ts';

export { createPlatformAdminSession, createTenant } from '../../../test/helpers/tenants.ts';
export type { Tenant } from '../../../test/helpers/tenants.ts';

export type AuditRow = { workspace_id: string; action: string; actor_type: string; actor_id: string | null; target_id: string | null; request_id: string | null };

/** Audit events about one target, oldest first (platform path). */
export async function auditEventsOf(platform: Platform, targetId: string): Promise<AuditRow[]> {
  const { rows } = await platform.db.withPlatform((tx) => tx.query<AuditRow>(
    'select workspace_id, action, actor_type, actor_id, target_id, request_id from audit_events where target_id = $1 order by id', [targetId]));
  return rows;
}
