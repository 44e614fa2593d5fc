// The audit contract every module codes against. Use-cases receive an AuditContext (built by
// the route from the request, or by a job/CLI from its own identity) and call
// `audit.record(tx, …)` inside the same transaction as the change they record.
export type AuditActorType = 'user' | 'api_key' | 'system' | 'platform_admin';

export type AuditActor = {
  type: AuditActorType;
  /** user id, API key id, or null for system. */
  id: string | null;
  /** The real actor when impersonating (the governance issue's impersonation fills it). */
  realActorId?: string | null;
};

/** Who acts and from where; built once per request (routes) or per job/CLI run. */
export type AuditContext = {
  actor: AuditActor;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  traceId?: string | null;
};

export type AuditOutcome = 'success' | 'failure' | 'denied';

export type AuditEventInput = {
  workspaceId: string;
  /** `resource.verb_past`, e.g. `api_key.created`, `member.role_changed`. */
  action: string;
  targetType: string;
  targetId: string | null;
  /** Before/after of what changed; secret fields are redacted by record(). */
  diff?: { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null } | null;
  outcome?: AuditOutcome;
};
