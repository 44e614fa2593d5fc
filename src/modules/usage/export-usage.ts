// GET /usage/events.csv: the raw usage events of a window as CSV, streamed — read in keyset pages
// of 5,000 (one short transaction each), written as they come: memory stays flat for a million
// rows, and no transaction stays open while a slow client reads. Across workspaces (platform
// admins, workspace_id first), the window is read one hour at a time (the time BRIN index), and
// in keyset pages within the hour.
import type { Database, Tx } from '../../kernel/db/database.ts';
import { csvCell } from '../../kernel/csv.ts';
import { usageWindow } from './usage-window.ts';

export const USAGE_CSV_COLUMNS = [
  'id', 'occurred_at', 'request_id', 'user_id', 'api_key_id', 'agent_id', 'provider_name', 'operation', 'api_format', 'model', 'resolved_model',
  'input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_micros', 'currency', 'pricing', 'usage_source',
  'status', 'error_code', 'http_status', 'is_streamed', 'provider_latency_ms', 'overhead_ms', 'attempts',
] as const;

const PAGE = 5000;

const HOUR = 3_600_000;

/** `workspaceId` null: every workspace's events (platform admins), workspace_id first. */
export async function exportUsage(db: Database, workspaceId: string | null, query: { from?: string; to?: string }): Promise<AsyncGenerator<string>> {
  const { from, to } = usageWindow(query);
  const names = workspaceId === null ? ['workspace_id', ...USAGE_CSV_COLUMNS] : [...USAGE_CSV_COLUMNS];
  const columns = names.map((c) => (c === 'occurred_at' ? `to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at` : c)).join(', ');
  const idAt = names.indexOf('id');
  async function page(sliceFrom: Date, sliceTo: Date, after: string | null): Promise<unknown[][]> {
    const read = async (tx: Tx) => (await tx.query<Record<string, unknown>>({
      text: workspaceId === null
        ? `select ${columns} from usage_events where occurred_at >= $1 and occurred_at < $2 and ($3::uuid is null or id > $3) order by id limit ${PAGE}`
        : `select ${columns} from usage_events where workspace_id = $4 and occurred_at >= $1 and occurred_at < $2 and ($3::uuid is null or id > $3) order by id limit ${PAGE}`,
      values: workspaceId === null ? [sliceFrom, sliceTo, after] : [sliceFrom, sliceTo, after, workspaceId], rowMode: 'array',
    } as never)).rows as unknown as unknown[][];
    return workspaceId === null ? db.withPlatform(read) : db.withWorkspace(workspaceId, read);
  }
  async function* chunks(): AsyncGenerator<string> {
    yield `${names.join(',')}\r\n`;
    // A workspace's window in one keyset run (its index leads with the workspace); every
    // workspace's, an hour at a time.
    const step = workspaceId === null ? HOUR : to.getTime() - from.getTime();
    for (let t = from.getTime(); t < to.getTime(); t += step) {
      const sliceFrom = new Date(t);
      const sliceTo = new Date(Math.min(t + step, to.getTime()));
      let after: string | null = null;
      for (;;) {
        const rows = await page(sliceFrom, sliceTo, after);
        if (rows.length === 0) break;
        yield rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1][idAt] as string;
      }
    }
  }
  return chunks();
}
