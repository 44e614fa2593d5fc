// workspace_accounts (migrations/0021): a client's subscription, notes and metadata. Owned by the
// admin module; platform path only.
import type { Tx } from '../../../kernel/db/database.ts';

export type SubscriptionPeriod = 'month' | 'year';
export type SubscriptionStatus = 'active' | 'past_due' | 'cancelled';
export type StoredSubscription = {
  amountMinor: number; currency: string; period: SubscriptionPeriod; status: SubscriptionStatus; startsOn: string; endsOn: string | null;
};
export type StoredAccount = {
  subscription: StoredSubscription | null;
  notes: string;
  metadata: Record<string, string>;
  updatedAt: string | null;
  updatedBy: string | null;
};

export const EMPTY_ACCOUNT: StoredAccount = { subscription: null, notes: '', metadata: {}, updatedAt: null, updatedBy: null };

type Row = {
  subscription_amount_minor: number | null; subscription_currency: string | null; subscription_period: SubscriptionPeriod | null;
  subscription_status: SubscriptionStatus | null; subscription_starts_on: string | null; subscription_ends_on: string | null;
  notes: string; metadata: Record<string, string>; updated_at: Date; updated_by: string | null;
};

// Dates as text: a `date` has no time zone, and must not become a JS Date at local midnight.
const COLUMNS = `subscription_amount_minor, subscription_currency, subscription_period, subscription_status,
  subscription_starts_on::text, subscription_ends_on::text, notes, metadata, updated_at, updated_by`;

function toAccount(r: Row): StoredAccount {
  return {
    subscription: r.subscription_amount_minor === null ? null : {
      amountMinor: Number(r.subscription_amount_minor), currency: r.subscription_currency!, period: r.subscription_period!,
      status: r.subscription_status!, startsOn: r.subscription_starts_on!, endsOn: r.subscription_ends_on,
    },
    notes: r.notes, metadata: r.metadata, updatedAt: r.updated_at.toISOString(), updatedBy: r.updated_by,
  };
}

export async function selectAccount(tx: Tx, workspaceId: string): Promise<StoredAccount> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from workspace_accounts where workspace_id = $1`, [workspaceId]);
  return rows[0] ? toAccount(rows[0]) : EMPTY_ACCOUNT;
}

export async function upsertAccount(tx: Tx, workspaceId: string, a: Omit<StoredAccount, 'updatedAt' | 'updatedBy'>, updatedBy: string | null): Promise<StoredAccount> {
  const s = a.subscription;
  const { rows } = await tx.query<Row>(
    `insert into workspace_accounts (workspace_id, subscription_amount_minor, subscription_currency, subscription_period, subscription_status,
       subscription_starts_on, subscription_ends_on, notes, metadata, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (workspace_id) do update set
       subscription_amount_minor = excluded.subscription_amount_minor, subscription_currency = excluded.subscription_currency,
       subscription_period = excluded.subscription_period, subscription_status = excluded.subscription_status,
       subscription_starts_on = excluded.subscription_starts_on, subscription_ends_on = excluded.subscription_ends_on,
       notes = excluded.notes, metadata = excluded.metadata, updated_by = excluded.updated_by, updated_at = now()
     returning ${COLUMNS}`,
    [workspaceId, s?.amountMinor ?? null, s?.currency ?? null, s?.period ?? null, s?.status ?? null, s?.startsOn ?? null, s?.endsOn ?? null,
      a.notes, JSON.stringify(a.metadata), updatedBy],
  );
  return toAccount(rows[0]);
}
