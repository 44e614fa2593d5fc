// GET /audit/events/:id: another workspace's event answers 404, like an unknown one.
import type { Database } from '../../kernel/db/database.ts';
import { auditErrors } from './audit.errors.ts';
import { selectEvent } from './audit.store.ts';
import type { AuditEvent } from './audit.types.ts';

export async function getEvent(db: Database, workspaceId: string, id: string): Promise<AuditEvent> {
  const event = await db.withWorkspace(workspaceId, (tx) => selectEvent(tx, workspaceId, id));
  if (!event) throw auditErrors.create('AUDIT_EVENT_NOT_FOUND');
  return event;
}
