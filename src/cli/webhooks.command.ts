// `atrium webhooks replay --since <iso|duration> [--endpoint <id>] [--workspace <id|slug>]
// [--replay-id <id>] [--json]`: re-run the stored inbound deliveries received since a time,
// through the same wiring as the server (each one starts its endpoint's workflow again). Each
// delivery runs at most once per replay id: pass the printed id again to resume an interrupted
// replay. Progress goes to stderr (a bar on a terminal), so stdout stays the report.
import { UsageError } from './usage.ts';
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import { isUuid } from '../kernel/ids.ts';
import type { ReplayAllSummary } from '../modules/webhooks/index.ts';
import { withDatabase } from './start.command.ts';
import { formatTable } from './workspace.command.ts';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `2h`, `30m`, `7d`, `90s`, `1w`, or an ISO 8601 date-time. */
export function parseSince(value: string, now: Date = new Date()): Date {
  const duration = /^(\d+)([smhdw])$/.exec(value.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNITS[duration[2]]);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(`--since must be a duration (30m, 2h, 7d) or an ISO date-time, got "${value}"`);
}

/** A progress reporter: a bar redrawn on a terminal, a line per 10% otherwise; nothing for a handful. */
export function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (total < 10) return;
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(`\rreplaying [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      stream.write(`replayed ${done}/${total}\n`);
    }
  };
}

function describe(s: ReplayAllSummary): string {
  if (s.total === 0) return `No delivery to replay. Replay id: ${s.replayId}`;
  const table = formatTable(['WORKSPACE', 'DELIVERIES', 'REPLAYED', 'SKIPPED', 'FAILED'],
    s.workspaces.map((w) => [w.workspaceId, String(w.total), String(w.replayed), String(w.skipped), String(w.failed)]));
  return `${table}\nReplayed ${s.replayed} of ${s.total} deliveries (${s.skipped} already done by this replay, ${s.failed} refused by their target).\nReplay id: ${s.replayId} (pass --replay-id ${s.replayId} to resume)`;
}

export function registerWebhooksCommands(program: Command, getConfig: () => Config): void {
  const webhooks = program
    .command('webhooks')
    .description('Inbound and outbound webhooks')
    .action(() => {
      throw new UsageError('missing subcommand: replay (see atrium webhooks --help)');
    });

  webhooks
    .command('replay')
    .description('Re-run the stored inbound deliveries received since a time (each once per replay id)')
    .requiredOption('--since <iso|duration>', 'deliveries received since this time: an ISO date-time or a duration (30m, 2h, 7d)')
    .option('--endpoint <id>', 'only this webhook endpoint')
    .option('--workspace <id-or-slug>', 'only this workspace')
    .option('--replay-id <id>', 'resume this replay (deliveries it already re-ran are skipped)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { since: string; endpoint?: string; workspace?: string; replayId?: string; json?: boolean }) => {
      const since = parseSince(options.since);
      if (options.endpoint !== undefined && !isUuid(options.endpoint)) throw new UsageError(`--endpoint must be an endpoint id (uuid), got "${options.endpoint}"`);
      if (options.replayId !== undefined && !isUuid(options.replayId)) throw new UsageError(`--replay-id must be a uuid, got "${options.replayId}"`);
      const config = getConfig();
      const [{ pino }, { buildPlatform }, { systemContext }] = await Promise.all([import('pino'), import('../main.ts'), import('../modules/audit/index.ts')]);
      const summary = await withDatabase(config, async (db) => {
        const log = pino({ level: 'warn', base: { service: 'atrium-cli' } }, pino.destination(2));
        const platform = await buildPlatform(config, db, log, { serveConsole: false });
        try {
          let workspaceId: string | null = null;
          if (options.workspace !== undefined) {
            const found = await db.withPlatform((tx) => platform.tenancy.findWorkspace(tx, options.workspace!));
            if (!found) throw new Error(`no workspace with the id or slug "${options.workspace}"`);
            workspaceId = found.id;
          }
          return await platform.webhooks.replay(systemContext('atrium webhooks replay'), {
            since, endpointId: options.endpoint ?? null, workspaceId, replayId: options.replayId, onProgress: progressBar(process.stderr),
          });
        } finally {
          await platform.close();
        }
      });
      if (options.json) return void console.log(JSON.stringify(summary, null, 2));
      console.log(describe(summary));
    });
}
