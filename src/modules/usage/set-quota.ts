// Set (or remove) the monthly limits of the workspace, an API key or an agent. A workspace admin
// stays within the plan (and an API key or agent within the workspace's own limits); a platform
// admin may go above (`isAbovePlanAllowed`). A temporary increase adds to the limits until it
// expires. One audit event with before/after.
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditContext } from '../audit/index.ts';
import type { UsageContext } from './usage.context.ts';
import { limitsOfRow } from './effective-limits.ts';
import { planLimits } from './plan-quotas.ts';
import { deleteQuota, selectQuotas, upsertQuota } from './usage.store.ts';
import { usageErrors } from './usage.errors.ts';
import type { Limits, UsageScope } from './usage.types.ts';

export type SetQuotaInput = {
  scope: UsageScope;
  subjectId?: string;
  monthlyTokens: number | null;
  monthlyCostMicros: number | null;
  extra?: { tokens?: number | null; costMicros?: number | null; expiresAt: string } | null;
};

/** Does a key or agent exist in the workspace? (the owners' doors, given at the root) */
export type SubjectExists = (tx: Tx, workspaceId: string, scope: 'api_key' | 'agent', id: string) => Promise<boolean>;

const exceeds = (value: number | null, ceiling: number | null) => ceiling !== null && (value === null || value > ceiling);

export async function setQuota(ctx: UsageContext & { subjectExists: SubjectExists }, tx: Tx, context: AuditContext, workspaceId: string, plan: string, input: SetQuotaInput, options: { isAbovePlanAllowed: boolean; now?: Date }): Promise<void> {
  const now = options.now ?? new Date();
  const subjectId = input.scope === 'workspace' ? workspaceId : input.subjectId;
  if (!subjectId) throw usageErrors.create('QUOTA_INVALID', `subjectId is required for scope ${input.scope}`, { extra: { errors: [{ path: 'body.subjectId', message: 'is required for this scope' }] } });
  if (input.scope !== 'workspace' && !(await ctx.subjectExists(tx, workspaceId, input.scope, subjectId))) {
    throw usageErrors.create('QUOTA_INVALID', `No ${input.scope === 'api_key' ? 'API key' : 'agent'} ${subjectId} in this workspace`, { extra: { errors: [{ path: 'body.subjectId', message: 'does not exist in this workspace' }] } });
  }
  if (input.extra) {
    const expires = new Date(input.extra.expiresAt);
    if (!(expires > now)) throw usageErrors.create('QUOTA_INVALID', 'A temporary increase must expire in the future', { extra: { errors: [{ path: 'body.extra.expiresAt', message: 'must be in the future' }] } });
    if ((input.extra.tokens ?? null) === null && (input.extra.costMicros ?? null) === null) throw usageErrors.create('QUOTA_INVALID', 'A temporary increase adds tokens, cost or both', { extra: { errors: [{ path: 'body.extra', message: 'needs tokens or costMicros' }] } });
  }
  const extraTokens = input.extra?.tokens ?? null;
  const extraCost = input.extra?.costMicros ?? null;
  if (!options.isAbovePlanAllowed) {
    // The ceiling: the plan for the workspace; the workspace's own limits for a key or an agent.
    let ceiling: Limits = planLimits(plan);
    if (input.scope !== 'workspace') {
      const [row] = await selectQuotas(tx, workspaceId, [{ scope: 'workspace', subjectId: workspaceId }]);
      if (row) ceiling = limitsOfRow(row, now);
    }
    const total = { tokens: input.monthlyTokens === null ? null : input.monthlyTokens + (extraTokens ?? 0), costMicros: input.monthlyCostMicros === null ? null : input.monthlyCostMicros + (extraCost ?? 0) };
    // For a key or an agent, no limit of its own (null) is fine: the workspace's limits still bound it.
    const isOver = (value: number | null, max: number | null) => (input.scope === 'workspace' ? exceeds(value, max) : value !== null && exceeds(value, max));
    if (isOver(total.tokens, ceiling.tokens) || isOver(total.costMicros, ceiling.costMicros)) {
      const what = input.scope === 'workspace' ? `the ${plan} plan` : 'the workspace\'s own limits';
      throw usageErrors.create('QUOTA_ABOVE_PLAN', `Limits above ${what} (${ceiling.tokens ?? 'unlimited'} tokens, ${ceiling.costMicros ?? 'unlimited'} USD micro-units a month) need a platform admin`);
    }
  }
  const [before] = await selectQuotas(tx, workspaceId, [{ scope: input.scope, subjectId }]);
  ctx.quotasChanged(workspaceId);
  await upsertQuota(tx, workspaceId, {
    scope: input.scope, subjectId, monthlyTokens: input.monthlyTokens, monthlyCostMicros: input.monthlyCostMicros,
    extraTokens: input.extra ? extraTokens : null, extraCostMicros: input.extra ? extraCost : null, extraExpiresAt: input.extra ? new Date(input.extra.expiresAt).toISOString() : null,
    updatedBy: context.actor.id ?? null,
  });
  const view = (r: { monthlyTokens: unknown; monthlyCostMicros: unknown; extra: unknown }) => r;
  await ctx.audit.record(tx, context, {
    workspaceId, action: 'quota.updated', targetType: input.scope, targetId: subjectId,
    diff: {
      before: before ? view({ monthlyTokens: before.monthly_tokens, monthlyCostMicros: before.monthly_cost_micros, extra: before.extra_expires_at ? { tokens: before.extra_tokens, costMicros: before.extra_cost_micros, expiresAt: before.extra_expires_at } : null }) : null,
      after: view({ monthlyTokens: input.monthlyTokens, monthlyCostMicros: input.monthlyCostMicros, extra: input.extra ?? null }),
    },
  });
}

export async function removeQuota(ctx: UsageContext, tx: Tx, context: AuditContext, workspaceId: string, scope: UsageScope, subjectId: string): Promise<void> {
  const isRemoved = await deleteQuota(tx, workspaceId, scope, scope === 'workspace' ? workspaceId : subjectId);
  ctx.quotasChanged(workspaceId);
  if (!isRemoved) throw usageErrors.create('QUOTA_NOT_FOUND');
  await ctx.audit.record(tx, context, { workspaceId, action: 'quota.removed', targetType: scope, targetId: subjectId });
}
