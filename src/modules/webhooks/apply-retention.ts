// Retention of the delivery logs: inbound deliveries (with their replays) and outbound
// deliveries (with their attempts) older than the workspace's `webhooks.retention_days` are
// deleted, in batches, on the platform path (a daily job).
import { Type } from '@fastify/type-provider-typebox';
import type { Database } from '../../kernel/db/database.ts';

export const RETENTION_SETTING_KEY = 'webhooks.retention_days';
export const DEFAULT_RETENTION_DAYS = 30;
const BATCH = 5_000;

export const webhooksRetentionSetting = {
  key: RETENTION_SETTING_KEY,
  description: `Days webhook deliveries (inbound and outbound) are kept for replay and inspection (default ${DEFAULT_RETENTION_DAYS})`,
  schema: Type.Integer({ minimum: 1, maximum: 3650 }),
  default: DEFAULT_RETENTION_DAYS,
};

export type WebhookRetentionRun = { inboundDeleted: number; outboundDeleted: number };

function deleteBatch(table: string, timeColumn: string): string {
  return `with doomed as (
      select d.workspace_id, d.id from ${table} d
      left join workspace_setting_values s on s.workspace_id = d.workspace_id and s.key = '${RETENTION_SETTING_KEY}'
      where d.${timeColumn} < $1::timestamptz - make_interval(days => coalesce((s.value)::int, ${DEFAULT_RETENTION_DAYS}))
      limit ${BATCH}
    )
    delete from ${table} t using doomed where t.workspace_id = doomed.workspace_id and t.id = doomed.id`;
}

export async function applyWebhookRetention(db: Database, options: { now?: Date } = {}): Promise<WebhookRetentionRun> {
  const now = options.now ?? new Date();
  const run: WebhookRetentionRun = { inboundDeleted: 0, outboundDeleted: 0 };
  for (const [table, column, field] of [
    ['webhook_inbound_deliveries', 'received_at', 'inboundDeleted'],
    ['webhook_outbound_deliveries', 'created_at', 'outboundDeleted'],
  ] as const) {
    for (;;) {
      const { rowCount } = await db.withPlatform((tx) => tx.query(deleteBatch(table, column), [now]));
      run[field] += rowCount ?? 0;
      if ((rowCount ?? 0) < BATCH) break;
    }
  }
  return run;
}
