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

/** One stored event, as the API returns it. */
export type AuditEvent = {
  id: string;
  workspaceId: string;
  /** Position in the workspace's chain; null until the sealer links the event (seconds). */
  seq: number | null;
  occurredAt: string;
  actorType: AuditActorType;
  actorId: string | null;
  realActorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  diff: { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null } | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  traceId: string | null;
  outcome: AuditOutcome;
  prevHash: string | null;
  hash: string | null;
};

/** Query filters (all optional, combined with AND). `action` ending in `*` is a prefix. */
export type AuditFilters = {
  actorType?: AuditActorType;
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** Inclusive lower bound (ISO date-time). */
  from?: string;
  /** Exclusive upper bound (ISO date-time). */
  to?: string;
  outcome?: AuditOutcome;
};

export type AuditSort = 'asc' | 'desc';

/** Result of verifying one workspace's chain. */
export type ChainVerification = {
  isValid: boolean;
  /** Events checked (from the anchor to the head). */
  checked: number;
  /** Seq of the last event removed by retention (0: none). */
  anchorSeq: number;
  /** Seq of the newest event (anchorSeq when the chain is empty). */
  headSeq: number;
  /** Events written after the sealer's position: not in the chain yet (it reaches them within seconds). */
  pending: number;
  firstBrokenSeq?: number;
  firstBrokenId?: string;
  /**
   * seq_gap: links are missing; prev_hash_mismatch: a link does not follow the previous one;
   * hash_mismatch: an event (or its link) was changed; event_missing: a linked event was deleted;
   * unsealed_event: an event older than the sealer's position has no link (inserted behind it).
   */
  reason?: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' | 'event_missing' | 'unsealed_event';
};
