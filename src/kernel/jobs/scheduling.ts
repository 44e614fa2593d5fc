// Cron schedules (job_schedules): created or updated in the caller's transaction; each due tick
// fires one job, keyed by the tick, in the engine's platform transaction — however many workers
// look at the same tick, it fires once.
import type { Tx } from '../db/database.ts';
import type { Logger } from '../logging.ts';
import { DUE_SCHEDULES_SQL } from './jobs.store.ts';
import type { ScheduleDefinition } from './jobs.types.ts';
import { nextCronRun } from './timing.ts';

export async function upsertSchedule(tx: Tx, s: ScheduleDefinition): Promise<void> {
  const timezone = s.timezone ?? 'UTC';
  const next = nextCronRun(s.cron, timezone);
  if (!next) throw new Error(`job engine: cron "${s.cron}" never fires`);
  await tx.query(
    `insert into job_schedules (name, workspace_id, cron, timezone, queue, payload, next_run_at, is_enabled)
      values ($1, $2, $3, $4, $5, $6, $7, $8)
      on conflict (name) do update set workspace_id = excluded.workspace_id, cron = excluded.cron, timezone = excluded.timezone,
        queue = excluded.queue, payload = excluded.payload, next_run_at = excluded.next_run_at, is_enabled = excluded.is_enabled, updated_at = now()`,
    [s.name, s.workspaceId ?? null, s.cron, timezone, s.queue, JSON.stringify(s.payload ?? {}), next, s.isEnabled ?? true],
  );
}

export async function deleteSchedule(tx: Tx, name: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from job_schedules where name = $1', [name]);
  return (rowCount ?? 0) > 0;
}

export type DueTick = { name: string; queue: string; payload: unknown; workspaceId: string | null; tick: Date };

/**
 * Fires the due schedules: `enqueue` inserts the tick's job (idempotent on the tick), then the
 * schedule moves to its next run; a schedule whose expression no longer parses is disabled.
 */
export async function fireDueSchedules(tx: Tx, log: Logger, enqueue: (tick: DueTick) => Promise<void>): Promise<void> {
  const { rows } = await tx.query<{ name: string; cron: string; timezone: string; queue: string; payload: unknown; workspace_id: string | null; next_run_at: Date }>(DUE_SCHEDULES_SQL);
  for (const s of rows) {
    await enqueue({ name: s.name, queue: s.queue, payload: s.payload, workspaceId: s.workspace_id, tick: s.next_run_at });
    let next: Date | null = null;
    try {
      next = nextCronRun(s.cron, s.timezone, new Date());
    } catch (err) {
      log.error({ err, schedule: s.name }, 'schedule has an invalid cron expression; disabled');
    }
    await tx.query('update job_schedules set last_run_at = now(), next_run_at = coalesce($2, next_run_at), is_enabled = $2 is not null, updated_at = now() where name = $1', [s.name, next]);
  }
}
