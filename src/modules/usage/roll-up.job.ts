// Hourly rollups of usage events, kept by the job engine (every five minutes): each closed hour
// (ended two minutes ago or more) is summed per workspace and dimension, and each closed UTC
// day from its hours. Re-running an hour rewrites the same sums (idempotent); the watermark
// moves only after the rows are written, in the same transaction.
import type { Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { UsageContext } from './usage.context.ts';
import { LATENCY_BUCKET_SQL } from './latency-buckets.ts';

export const ROLLUP_QUEUE = 'usage.roll_up';
export const ROLLUP_CRON = '*/5 * * * *';
const HOUR_MS = 3_600_000;
const CLOSE_AFTER_MS = 2 * 60_000;
/** Hours rolled per transaction: a backfill of months goes a day at a time. */
const HOURS_PER_TX = 24;

const MEASURES = `count(*), sum(input_tokens), sum(output_tokens), coalesce(sum(cost_micros), 0),
  count(*) filter (where pricing = 'unpriced'), count(*) filter (where usage_source = 'estimated'), count(*) filter (where status <> 'ok')`;
const SUMS = 'sum(calls), sum(input_tokens), sum(output_tokens), sum(cost_micros), sum(unpriced_calls), sum(estimated_calls), sum(error_calls)';
const DIMENSIONS = 'api_key_id, agent_id, provider_name, model, status';
const COLUMNS = `workspace_id, granularity, bucket, ${DIMENSIONS}, latency_bucket, calls, input_tokens, output_tokens, cost_micros, unpriced_calls, estimated_calls, error_calls`;
const ON_CONFLICT = `on conflict (workspace_id, granularity, bucket, api_key_id, agent_id, provider_name, model, status, latency_bucket) do update set
  calls = excluded.calls, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost_micros = excluded.cost_micros,
  unpriced_calls = excluded.unpriced_calls, estimated_calls = excluded.estimated_calls, error_calls = excluded.error_calls`;

async function rollHours(tx: Tx, from: Date, to: Date): Promise<void> {
  await tx.query(`delete from usage_rollups where granularity = 'hour' and bucket >= $1 and bucket < $2`, [from, to]);
  await tx.query(
    `insert into usage_rollups (${COLUMNS})
     select workspace_id, 'hour', date_trunc('hour', occurred_at), ${DIMENSIONS}, ${LATENCY_BUCKET_SQL}, ${MEASURES}
       from usage_events where occurred_at >= $1 and occurred_at < $2
      group by workspace_id, date_trunc('hour', occurred_at), ${DIMENSIONS}, ${LATENCY_BUCKET_SQL}
     ${ON_CONFLICT}`, [from, to]);
}

async function rollDays(tx: Tx, from: Date, to: Date): Promise<void> {
  await tx.query(`delete from usage_rollups where granularity = 'day' and bucket >= $1 and bucket < $2`, [from, to]);
  await tx.query(
    `insert into usage_rollups (${COLUMNS})
     select workspace_id, 'day', date_trunc('day', bucket at time zone 'UTC') at time zone 'UTC', ${DIMENSIONS}, latency_bucket, ${SUMS}
       from usage_rollups where granularity = 'hour' and bucket >= $1 and bucket < $2
      group by workspace_id, date_trunc('day', bucket at time zone 'UTC'), ${DIMENSIONS}, latency_bucket
     ${ON_CONFLICT}`, [from, to]);
}

const dayOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** Roll every closed hour after the watermark; returns the new watermark. */
export async function rollUpUsage(ctx: Pick<UsageContext, 'db'>, now = new Date()): Promise<Date> {
  const closedTo = new Date(Math.floor((now.getTime() - CLOSE_AFTER_MS) / HOUR_MS) * HOUR_MS);
  for (;;) {
    const next = await ctx.db.withPlatform(async (tx) => {
      const { rows } = await tx.query<{ rolled_to: Date }>('select rolled_to from usage_rollup_watermark for update');
      const from = rows[0].rolled_to;
      if (from >= closedTo) return null;
      const to = new Date(Math.min(closedTo.getTime(), from.getTime() + HOURS_PER_TX * HOUR_MS));
      await rollHours(tx, from, to);
      // Days that this step completed (their last hour is now rolled).
      const dayFrom = dayOf(from);
      const dayTo = dayOf(to);
      if (dayTo > dayFrom) await rollDays(tx, dayFrom, dayTo);
      await tx.query('update usage_rollup_watermark set rolled_to = $1', [to]);
      return to;
    });
    if (next === null) {
      return ctx.db.withPlatform(async (tx) => (await tx.query<{ rolled_to: Date }>('select rolled_to from usage_rollup_watermark')).rows[0].rolled_to);
    }
  }
}

export function defineRollUpJob(jobs: JobEngine, ctx: UsageContext): void {
  jobs.define({
    name: ROLLUP_QUEUE, concurrency: 1, maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { baseMs: 30_000, maxMs: 5 * 60_000 },
    handler: async () => {
      await rollUpUsage(ctx);
    },
  });
}

export async function scheduleRollUp(jobs: JobEngine, tx: Tx): Promise<void> {
  await jobs.schedule(tx, { name: ROLLUP_QUEUE, cron: ROLLUP_CRON, queue: ROLLUP_QUEUE, payload: {}, workspaceId: null });
}
