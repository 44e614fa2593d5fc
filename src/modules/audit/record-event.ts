// Appends one event in the caller's transaction. The diff is redacted here, before it is
// hashed into the chain; the sealer links it into the chain after commit (seal-chain.ts).
import type { Tx } from '../../kernel/db/database.ts';
import { isUuid } from '../../kernel/ids.ts';
import type { AuditContext, AuditEventInput } from './audit.types.ts';
import { appendEvent } from './audit.store.ts';
import { redactSecrets } from './redact.ts';

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const TARGET_TYPE = /^[a-z][a-z0-9_]*$/;

function clip(value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value.length > max ? value.slice(0, max) : value;
}

function uuidOrNull(value: string | null | undefined): string | null {
  return value && isUuid(value) ? value.toLowerCase() : null;
}

export async function recordEvent(tx: Tx, context: AuditContext, event: AuditEventInput): Promise<{ id: string }> {
  // Programming errors, not client input: fail the use-case (and its transaction) loudly.
  // This is the one door events come in by, so the table checks no formats (migration 0018).
  if (!ACTION.test(event.action) || event.action.length > 100) throw new Error(`audit: action "${event.action}" is not resource.verb_past`);
  if (!TARGET_TYPE.test(event.targetType) || event.targetType.length > 50) throw new Error(`audit: target type "${event.targetType}" is not snake_case`);
  if (!isUuid(event.workspaceId)) throw new Error('audit: workspaceId is not a uuid');
  const diff = event.diff ? redactSecrets({ before: event.diff.before ?? null, after: event.diff.after ?? null }) : null;
  return appendEvent(tx, {
    workspaceId: event.workspaceId.toLowerCase(),
    actorType: context.actor.type,
    actorId: uuidOrNull(context.actor.id),
    realActorId: uuidOrNull(context.actor.realActorId),
    action: event.action,
    targetType: event.targetType,
    targetId: clip(event.targetId, 200),
    diff,
    ip: clip(context.ip, 100),
    userAgent: clip(context.userAgent, 500),
    requestId: clip(context.requestId, 200),
    traceId: clip(context.traceId, 200),
    outcome: event.outcome ?? 'success',
  });
}
