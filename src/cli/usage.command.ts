// `atrium usage --workspace <slug|id> [--since 30d] [--group-by day] [--json]`: a workspace's AI
// usage from the command line (platform path) — calls, tokens, cost (USD), unpriced calls,
// errors and latency per day (or model, provider, key, agent), with a bar per row on a
// terminal, the month's quotas, and JSON for scripts.
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import { UsageError } from './usage.ts';
import { withModules } from './start.command.ts';
import { formatTable } from './workspace.command.ts';
import { parseSince } from './webhooks.command.ts';
import { GROUPS as USAGE_GROUPS } from '../modules/usage/summarize-usage.ts';
import type { UsageGroup } from '../modules/usage/index.ts';

const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(micros > 0 && micros < 10_000 ? 6 : 2)}`;
const n = (v: number) => v.toLocaleString('en-US');

function bar(value: number, max: number, width = 20): string {
  if (max <= 0) return '';
  const cells = Math.round((value / max) * width * 8);
  return '█'.repeat(Math.floor(cells / 8)) + (cells % 8 ? '▏▎▍▌▋▊▉'[(cells % 8) - 1] : '');
}

export function registerUsageCommands(program: Command, getConfig: () => Config): void {
  program.command('usage').description('AI usage of a workspace: calls, tokens, cost, errors, latency, and its quotas')
    .requiredOption('--workspace <slug-or-id>', 'the workspace')
    .option('--since <when>', 'a duration (24h, 30d) or an ISO date-time', '30d')
    .option('--group-by <group>', `one of ${USAGE_GROUPS.join(', ')}`, 'day')
    .option('--json', 'print JSON (the summary and the quotas)')
    .action(async (options: { workspace: string; since: string; groupBy: string; json?: boolean }) => {
      if (!(USAGE_GROUPS as readonly string[]).includes(options.groupBy)) throw new UsageError(`--group-by must be one of ${USAGE_GROUPS.join(', ')}`);
      const since = parseSince(options.since);
      const now = new Date();
      if (since >= now) throw new UsageError('--since must be in the past');
      const result = await withModules(getConfig(), async ({ tenancy, usage }, db) => {
        const workspace = await db.withPlatform((tx) => tenancy.findWorkspace(tx, options.workspace));
        if (!workspace) throw new Error(`no workspace with the id or slug "${options.workspace}"`);
        return db.withWorkspace(workspace.id, async (tx) => ({
          workspace: { id: workspace.id, slug: workspace.slug },
          summary: await usage.summarize(tx, workspace.id, { from: since.toISOString(), to: now.toISOString(), groupBy: options.groupBy as UsageGroup }),
          quotas: await usage.quotas(tx, workspace.id, workspace.plan),
        }));
      });
      if (options.json) return void console.log(JSON.stringify(result, null, 2));
      const { summary, quotas } = result;
      const t = summary.totals;
      console.log(`${result.workspace.slug}: ${n(t.calls)} calls, ${n(t.inputTokens + t.outputTokens)} tokens, ${usd(t.costMicros)}${t.unpricedCalls ? ` + ${n(t.unpricedCalls)} unpriced call(s)` : ''}, ${n(t.errorCalls)} error(s) since ${summary.from.slice(0, 16).replace('T', ' ')} UTC`);
      if (summary.groups.length === 0) console.log('No model calls in this window. Connect a provider in the console (Providers) or with POST /api/v1/llm/providers, then call /v1/chat/completions.');
      else {
        const max = Math.max(...summary.groups.map((g) => g.costMicros));
        const isTty = process.stdout.isTTY === true;
        console.log(formatTable(
          [options.groupBy.toUpperCase(), 'CALLS', 'INPUT', 'OUTPUT', 'COST', 'UNPRICED', 'ERRORS', 'P95 MS', ...(isTty ? [''] : [])],
          summary.groups.map((g) => [g.key || '(none)', n(g.calls), n(g.inputTokens), n(g.outputTokens), usd(g.costMicros), n(g.unpricedCalls), n(g.errorCalls), g.p95LatencyMs === null ? '-' : n(g.p95LatencyMs), ...(isTty ? [bar(g.costMicros, max)] : [])]),
        ));
      }
      console.log('');
      console.log(formatTable(['QUOTA', 'SUBJECT', 'TOKENS USED', 'TOKEN LIMIT', 'COST USED', 'COST LIMIT'],
        quotas.quotas.map((q) => [q.scope, q.scope === 'workspace' ? `${result.workspace.slug} (${q.source})` : q.subjectId, n(q.spentTokens), q.effective.tokens === null ? 'none' : n(q.effective.tokens), usd(q.spentCostMicros), q.effective.costMicros === null ? 'none' : usd(q.effective.costMicros)])));
      console.log(`Quotas reset at ${quotas.resetsAt}.`);
    });
}
