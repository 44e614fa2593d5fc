// GET /usage/events.csv: the raw usage events of a window as CSV, streamed — read in keyset pages
// of 5,000 (one short transaction each), written as they come: memory stays flat for a million
// rows, and no transaction stays open while a slow client reads.
import type { Database } from '../../kernel/db/database.ts';
import { csvCell } from '../../kernel/csv.ts';
import { usageWindow } from './usage-window.ts';

export const USAGE_CSV_COLUMNS = [
  'id', 'occurred_at', 'request_id', 'user_id', 'api_key_id', 'agent_id', 'provider_name', 'operation', 'api_format', 'model', 'resolved_model',
  'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_micros', 'currency', 'pricing', 'usage_source',
  'status', 'error_code', 'http_status', 'is_streamed', 'provider_latency_ms', 'overhead_ms', 'attempts',
] as const;

const PAGE = 5000;

export async function exportUsage(db: Database, workspaceId: string, query: { from?: string; to?: string }): Promise<AsyncGenerator<string>> {
  const { from, to } = usageWindow(query);
  const columns = USAGE_CSV_COLUMNS.map((c) => (c === 'occurred_at' ? `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at` : c)).join(', ');
  async function* chunks(): AsyncGenerator<string> {
    yield `${USAGE_CSV_COLUMNS.join(',')}\r\n`;
    let after: string | null = null;
    for (;;) {
      const rows = await db.withWorkspace(workspaceId, async (tx) => (await tx.query<Record<string, unknown>>({
        text: `select ${columns} from usage_events where workspace_id = $1 and occurred_at >= $2 and occurred_at < $3 and ($4::uuid is null or id > $4) order by id limit ${PAGE}`,
        values: [workspaceId, from, to, after], rowMode: 'array',
      } as never)).rows as unknown as unknown[][]);
      if (rows.length === 0) return;
      yield rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1][0] as string;
    }
  }
  return chunks();
}
