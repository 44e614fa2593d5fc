// PATCH /admin/workspaces/:id: the platform admin changes what a client pays for: plan,
// subscription (merged field by field), notes, metadata (merged as Stripe does). One
// transaction under the workspace's row lock; one audit event `workspace.account_updated` in the
// workspace's chain with the fields that changed, before and after (a patch that changes nothing
// records nothing). Bad values are 400 problems naming the field.
import type { AuditContext } from '../../audit/index.ts';
import { isCurrency } from '../../../kernel/money.ts';
import { tenancyErrors } from '../../tenancy/index.ts';
import type { WorkspacePlan } from '../../tenancy/index.ts';
import type { AdminContext } from '../admin.context.ts';
import { adminErrors } from '../admin.errors.ts';
import { selectAccount, upsertAccount } from './account.store.ts';
import type { StoredAccount, StoredSubscription, SubscriptionPeriod, SubscriptionStatus } from './account.store.ts';
import { METADATA_MAX_KEYS } from './account.schema.ts';

export type SubscriptionPatch = Partial<{ amountMinor: number; currency: string; period: SubscriptionPeriod; status: SubscriptionStatus; startsOn: string; endsOn: string | null }>;
export type AccountPatch = { plan?: WorkspacePlan; subscription?: SubscriptionPatch | null; notes?: string; metadata?: Record<string, string | null> };

type FieldError = { path: string; message: string };

function invalid(errors: FieldError[]) {
  return adminErrors.create('ACCOUNT_INVALID', errors.map((e) => `${e.path} ${e.message}`).join('; '), { extra: { errors } });
}

function mergeSubscription(current: StoredSubscription | null, patch: SubscriptionPatch | null | undefined): StoredSubscription | null {
  if (patch === undefined) return current;
  if (patch === null) return null;
  const merged = { status: 'active' as SubscriptionStatus, endsOn: null, ...current, ...patch };
  const errors: FieldError[] = [];
  for (const field of ['amountMinor', 'currency', 'period', 'startsOn'] as const) {
    if (merged[field] === undefined) errors.push({ path: `body.subscription.${field}`, message: 'is required to record a new subscription' });
  }
  if (merged.currency !== undefined && !isCurrency(merged.currency)) errors.push({ path: 'body.subscription.currency', message: `is not an ISO 4217 currency code: ${merged.currency}` });
  if (merged.endsOn && merged.startsOn && merged.endsOn < merged.startsOn) errors.push({ path: 'body.subscription.endsOn', message: `must not be before startsOn (${merged.startsOn})` });
  if (errors.length) throw invalid(errors);
  return merged as StoredSubscription;
}

function mergeMetadata(current: Record<string, string>, patch: Record<string, string | null> | undefined): Record<string, string> {
  if (patch === undefined) return current;
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === '') delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > METADATA_MAX_KEYS) {
    throw invalid([{ path: 'body.metadata', message: `would hold ${Object.keys(merged).length} keys; at most ${METADATA_MAX_KEYS} (set a key to null to remove it)` }]);
  }
  return merged;
}

/** The audit diff of what changed, with subscriptions compared as a whole. */
function diffOf(before: { plan: WorkspacePlan } & StoredAccount, after: { plan: WorkspacePlan } & StoredAccount) {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const key of ['plan', 'subscription', 'notes'] as const) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      was[key] = before[key];
      now[key] = after[key];
    }
  }
  const keys = new Set([...Object.keys(before.metadata), ...Object.keys(after.metadata)]);
  const metaBefore: Record<string, string | null> = {};
  const metaAfter: Record<string, string | null> = {};
  for (const k of keys) {
    if (before.metadata[k] === after.metadata[k]) continue;
    metaBefore[k] = before.metadata[k] ?? null;
    metaAfter[k] = after.metadata[k] ?? null;
  }
  if (Object.keys(metaAfter).length) {
    was.metadata = metaBefore;
    now.metadata = metaAfter;
  }
  return Object.keys(now).length ? { before: was, after: now } : null;
}

export async function updateAccount(
  deps: Pick<AdminContext, 'db' | 'tenancy' | 'identity' | 'audit'>,
  audit: AuditContext,
  workspaceId: string,
  patch: AccountPatch,
): Promise<{ isPlanChanged: boolean }> {
  const result = await deps.db.withPlatform(async (tx) => {
    const workspace = await deps.tenancy.lockWorkspace(tx, workspaceId);
    if (!workspace) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
    const current = await selectAccount(tx, workspaceId);
    const next = {
      subscription: mergeSubscription(current.subscription, patch.subscription),
      notes: patch.notes ?? current.notes,
      metadata: mergeMetadata(current.metadata, patch.metadata),
    };
    const plan = patch.plan ?? workspace.plan;
    const diff = diffOf({ plan: workspace.plan, ...current }, { plan, ...next, updatedAt: null, updatedBy: null });
    if (!diff) return { isPlanChanged: false };
    if (plan !== workspace.plan) await deps.tenancy.changePlan(tx, workspaceId, plan);
    if (['subscription', 'notes', 'metadata'].some((k) => k in diff.after)) {
      await upsertAccount(tx, workspaceId, next, audit.actor.type === 'platform_admin' || audit.actor.type === 'user' ? audit.actor.id : null);
    }
    await deps.audit.record(tx, audit, { workspaceId, action: 'workspace.account_updated', targetType: 'workspace', targetId: workspaceId, diff });
    return { isPlanChanged: plan !== workspace.plan };
  });
  // The plan sets the rate limit, read from cached session state.
  if (result.isPlanChanged) deps.identity.invalidateSessionCache();
  return result;
}
