// The usage module's door: the ledger every model call is metered on. `reserve` before a call
// (refuses when a quota or budget has no room), `settle` after it (one usage event, the month's
// counters, alerts at 80 % / 100 % / burn rate). Owns usage_events, usage_quotas,
// usage_counters, usage_reservations, usage_alerts.
import type { KernelDeps } from '../../kernel/module.ts';
import { sharedForget } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { AuditModule } from '../audit/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { EmitEvent, UsageContext } from './usage.context.ts';
import type { ReserveInput } from './reserve-usage.ts';
import { selectQuotas } from './usage.store.ts';
import type { QuotaRow } from './usage.store.ts';
import { reserveUsage } from './reserve-usage.ts';
import { settleUsage } from './settle-usage.ts';
import { createUsageEventWriter } from './usage-event-writer.ts';
import type { SubjectExists } from './set-quota.ts';
import { usageRoutes } from './usage.routes.ts';
import { defineReleaseJob, releaseExpiredReservations, scheduleRelease } from './release-expired.job.ts';
import { BURN_RATE_EVENT, THRESHOLD_EVENT } from './check-alerts.ts';
import { defineRollUpJob, rollUpUsage, scheduleRollUp } from './roll-up.job.ts';
import { applyUsageRetention, defineUsageRetentionJob, scheduleUsageRetention } from './usage-retention.job.ts';
import type { UsageRetentionRun } from './usage-retention.job.ts';
import type { Reservation, UsageEventInput } from './usage.types.ts';
import { summarizeUsage } from './summarize-usage.ts';
import type { UsageGroup, UsageSplit, UsageSummary } from './summarize-usage.ts';
import { getQuotas } from './get-quotas.ts';
import type { QuotasView } from './get-quotas.ts';

export type { Reservation, TokenCounts, UsageEventInput, UsageScope, UsageSource, UsageStatus, UsageSubjects, Limits } from './usage.types.ts';
export { usageErrors } from './usage.errors.ts';
export { PLAN_LIMITS } from './plan-quotas.ts';
export type { UsageGroup, UsageSplit, UsageSummary, UsageTotals } from './summarize-usage.ts';
export { GROUPS as USAGE_GROUPS } from './summarize-usage.ts';
export type { QuotasView } from './get-quotas.ts';
export type { QuotaRow } from './usage.store.ts';

export const USAGE_EVENT_TYPES = [
  { type: THRESHOLD_EVENT, description: 'An AI quota or budget reached 80 % or 100 % of its monthly limit' },
  { type: BURN_RATE_EVENT, description: 'At this month\'s pace, an AI quota or budget runs out before the month ends' },
];

export function createUsageModule(deps: KernelDeps, modules: { audit: AuditModule; tenancy: TenancyModule; identity: IdentityModule; mail: MailModule; jobs: JobEngine }, ports: { emit: EmitEvent; subjectExists: SubjectExists }) {
  // When each workspace's quotas last changed (in any process: the bus carries it): the gateway's cache reloads after it.
  const quotaChanges = new Map<string, number>();
  let allChangedAt = 0;
  const ctx: UsageContext = {
    ...deps, ...modules, emit: ports.emit, reservationTtlSeconds: 15 * 60, eventWriter: createUsageEventWriter(deps.db),
    quotasChanged: sharedForget(deps, 'usage.quotas', (workspaceId?: string) => {
      if (!workspaceId || quotaChanges.size > 100_000) {
        quotaChanges.clear();
        allChangedAt = Date.now();
      }
      if (workspaceId) quotaChanges.set(workspaceId, Date.now());
    }),
  };
  defineReleaseJob(modules.jobs, ctx);
  defineRollUpJob(modules.jobs, ctx);
  defineUsageRetentionJob(modules.jobs, deps.db, deps.log);
  return {
    routes: usageRoutes({ ...ctx, subjectExists: ports.subjectExists }),
    /** Hold room for a call (its own transaction, committed before the call goes out; none when no limit applies). Throws QUOTA_EXCEEDED / MODEL_UNPRICED. */
    reserve(input: ReserveInput): Promise<Reservation> {
      return reserveUsage(ctx, input);
    },
    /** The workspace's quota rows, for `reserve` (a caller may cache them; see quotasChangedAt). */
    quotaRows(tx: Tx, workspaceId: string): Promise<QuotaRow[]> {
      return selectQuotas(tx, workspaceId);
    },
    /** When this process last changed the workspace's quotas (0: never). */
    quotasChangedAt(workspaceId: string): number {
      return Math.max(quotaChanges.get(workspaceId) ?? 0, allChangedAt);
    },
    /** Record the call's usage event (under `id` when the caller minted it) and replace its hold with the real use (own transaction). */
    settle(reservation: Reservation, event: UsageEventInput, id?: string): Promise<{ id: string; occurredAt: Date }> {
      return settleUsage(ctx, reservation, event, id);
    },
    /** Resolves once the usage events settled so far are written (shutdown: before the pool closes). */
    drain(): Promise<void> {
      return ctx.eventWriter.drain();
    },
    /** A workspace's usage summary (rollups + live events), in its tenant transaction. */
    summarize(tx: Tx, workspaceId: string, query: { from?: string; to?: string; groupBy?: UsageGroup; split?: UsageSplit }): Promise<UsageSummary> {
      return summarizeUsage(tx, workspaceId, query, modules.identity.apiKeyNames);
    },
    quotas(tx: Tx, workspaceId: string, plan: string): Promise<QuotasView> {
      return getQuotas(tx, workspaceId, plan);
    },
    releaseExpired(): Promise<number> {
      return releaseExpiredReservations(ctx);
    },
    /** Roll closed hours into the analytics rollups (the job does it every five minutes); the new watermark. */
    rollUp(now?: Date): Promise<Date> {
      return rollUpUsage(ctx, now);
    },
    /** Delete raw events past their plan's retention, once rolled up (the job does it daily). */
    applyRetention(options?: { now?: Date }): Promise<UsageRetentionRun> {
      return applyUsageRetention(ctx.db, { ...options, log: ctx.log });
    },
    async installSchedules(tx: Tx): Promise<void> {
      await scheduleRelease(modules.jobs, tx);
      await scheduleRollUp(modules.jobs, tx);
      await scheduleUsageRetention(modules.jobs, tx);
    },
  };
}

export type UsageModule = ReturnType<typeof createUsageModule>;
