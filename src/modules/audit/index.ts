// The audit module's door: an append-only, hash-chained trail of events per workspace.
// Use-cases call `audit.record(tx, context, event)` in the SAME transaction as the change;
// routes build the context with `auditContextOf(request)`. The sealer (a worker) links committed
// events into each workspace's chain within seconds (ADR 0012).
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { KernelDeps } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { defineSetting } from '../../kernel/settings.ts';
import type { AuditContext, AuditEventInput } from './audit.types.ts';
import { auditContextOf as contextOfRequest } from './audit-context.ts';
import { recordEvent } from './record-event.ts';
import { selectEventPage } from './audit.store.ts';
import { recentEventsAcross } from './report-audit.ts';
import { auditRoutes } from './audit.routes.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import { AUDIT_RETENTION_SETTING, DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, applyRetention } from './apply-retention.ts';
import { verifyChains, verifyWorkspaceChain } from './verify-chain.ts';
import type { WorkspaceVerification } from './verify-chain.ts';
import { createSealer, sealCommitted } from './seal-chain.ts';
import { selectSealBacklog } from './audit.store.ts';
import client from 'prom-client';
import { counters } from '../../kernel/counters.ts';

export type { AuditActor, AuditActorType, AuditContext, AuditEventInput, AuditOutcome } from './audit.types.ts';
export type { AuditEvent, AuditFilters, AuditSort, ChainVerification } from './audit.types.ts';
export type { WorkspaceVerification } from './verify-chain.ts';
export type { RetentionRun } from './apply-retention.ts';
export { withActor, systemContext } from './audit-context.ts';
export { redactSecrets, REDACTED } from './redact.ts';
export { auditErrors } from './audit.errors.ts';
export { AuditEventSchema } from './audit.schema.ts';
export { AUDIT_RETENTION_SETTING, DEFAULT_RETENTION_DAYS } from './apply-retention.ts';

/** The audit context of an HTTP request, from its principal. */
export function auditContextOf(request: FastifyRequest): AuditContext {
  const context = contextOfRequest(request);
  // While impersonating, the actor is the impersonated user and the real actor the admin.
  const realActorId = request.principal?.impersonatorId;
  return realActorId ? { ...context, actor: { ...context.actor, realActorId } } : context;
}

/** `audit.retention_days`, for tenancy's settings registry (registered by the composition root). */
export const auditRetentionSetting = defineSetting({
  key: AUDIT_RETENTION_SETTING,
  description: `Days audit events are kept before the retention job deletes them (default ${DEFAULT_RETENTION_DAYS})`,
  schema: Type.Integer({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS }),
  default: DEFAULT_RETENTION_DAYS,
});

export type AuditModuleOptions = {
  /**
   * Bench only (bench/audit.ts measures a mutation with and without its event): `false` makes
   * `record` a no-op. Never read from configuration; production always records.
   */
  isRecording?: boolean;
  /** The job engine: retention runs as its hourly cron job `audit.retention`. */
  jobs?: JobEngine;
};

export const RETENTION_QUEUE = 'audit.retention';
export const RETENTION_CRON = '23 * * * *';
/** Every chain verified daily: a failure sets atrium_audit_verification_failures (alert AuditChainVerificationFailed). */
export const VERIFY_QUEUE = 'audit.verify';
export const VERIFY_CRON = '47 2 * * *';

export function createAuditModule(deps: KernelDeps, options: AuditModuleOptions = {}) {
  const isRecording = options.isRecording ?? true;
  // Several workers may run it at once: deletions of the same prefix are idempotent and the
  // anchor only moves forward; the cron fires each tick once anyway.
  options.jobs?.define({ name: RETENTION_QUEUE, concurrency: 1, maxAttempts: 3, handler: async () => { await applyRetention(deps.db, { log: deps.log }); } });
  options.jobs?.define({
    name: VERIFY_QUEUE, concurrency: 1, maxAttempts: 2, timeoutMs: 60 * 60_000,
    handler: async () => {
      const results = await verifyChains(deps.db);
      const failed = results.filter((r) => !r.isValid);
      counters.auditVerificationFailures.set(failed.length);
      counters.auditVerifiedAt.set(Date.now() / 1000);
      if (failed.length) deps.log.error({ workspaces: failed.map((r) => r.slug) }, 'audit chain verification failed: see docs/runbooks/audit-chain-verification-failed.md');
      else deps.log.info({ workspaces: results.length }, 'every audit chain verified');
    },
  });
  const sealer = createSealer(deps.db, deps.log);
  return {
    /** Append one event in the caller's transaction (bound to event.workspaceId, or unbound: identity and platform paths). */
    async record(tx: Tx, context: AuditContext, event: AuditEventInput): Promise<void> {
      if (!isRecording) return;
      await recordEvent(tx, context, event);
    },
    routes: auditRoutes(deps.db),
    /** What other modules may read of the trail (in the caller's transaction). */
    reports: {
      /** A workspace's latest events, newest first. */
      recentEvents(tx: Tx, workspaceId: string, limit: number) {
        return selectEventPage(tx, { workspaceId, filters: {}, sort: 'desc', limit });
      },
      /** Every workspace's latest events since a time (platform path: the admin's activity feed). */
      recentEventsAcross,
    },
    /** Installs the hourly retention schedule (idempotent; at start-up, platform path). */
    async installSchedules(tx: Tx): Promise<void> {
      await options.jobs?.schedule(tx, { name: RETENTION_QUEUE, cron: RETENTION_CRON, queue: RETENTION_QUEUE });
      await options.jobs?.schedule(tx, { name: VERIFY_QUEUE, cron: VERIFY_CRON, queue: VERIFY_QUEUE });
    },
    retentionSetting: auditRetentionSetting,
    /** The worker that seals committed events into their chains (started with the workers). */
    sealer,
    /**
     * Seals every event committed before the call, waiting up to `timeoutMs` (10 s) for older
     * transactions still open; returns how many (the CLI's verify, tests, the bench).
     */
    seal(options: { timeoutMs?: number } = {}): Promise<number> {
      return sealCommitted(deps.db, options);
    },
    /** Gauges of the sealer's backlog: an open transaction somewhere holds it back (ADR 0012). */
    registerMetrics(registry: client.Registry): void {
      const backlog = () => deps.db.withPlatform((tx) => selectSealBacklog(tx));
      new client.Gauge({
        name: 'atrium_audit_unsealed_events', help: 'Audit events committed but not linked into their chain yet', registers: [registry],
        async collect() { this.set((await backlog()).events); },
      });
      new client.Gauge({
        name: 'atrium_audit_oldest_unsealed_seconds', help: 'Age of the oldest audit event not linked into its chain yet (0: none)', registers: [registry],
        async collect() { this.set((await backlog()).oldestSeconds); },
      });
    },
    applyRetention(options: { now?: Date } = {}) {
      return applyRetention(deps.db, { ...options, log: deps.log });
    },
    verifyWorkspace(workspaceId: string) {
      return verifyWorkspaceChain(deps.db, workspaceId);
    },
    /** Platform path: one workspace (id or slug) or every workspace. */
    verifyChains(options: { workspace?: string; onProgress?: (done: number, total: number, result: WorkspaceVerification) => void } = {}) {
      return verifyChains(deps.db, options);
    },
  };
}

export type AuditModule = ReturnType<typeof createAuditModule>;
