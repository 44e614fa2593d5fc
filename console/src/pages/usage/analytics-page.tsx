// Analytics of AI usage (brief 000 S8.3): cost per day, tokens per day by model, API key or
// agent, requests per provider, top API keys and agents, latency p50/p95 per model, error rate —
// over a date range, from the rollups (sums equal the raw events). CSV of the raw events of the
// range, streamed by the server. One page, two scopes: the workspace (/ai/analytics, its owners
// and admins) and every workspace (/admin/analytics, platform admins: top workspaces too).
import { useMemo, useState } from 'react';
import { formatUsd, useUsageSummary } from '../../api/ai.ts';
import type { UsageSummary } from '../../api/ai.ts';
import { download } from '../../api/client.ts';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { Icon } from '../../components/icons.tsx';
import { useToast } from '../../components/toast.tsx';
import { formatPercent } from '../../lib/format.ts';
import { Link } from '../../lib/router.tsx';
import { CostLineChart, SharePie, StackedTokensChart } from './usage-charts.tsx';
import './usage.css';

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);
type Split = 'model' | 'apiKey' | 'agent' | 'workspace';
type Scope = 'workspace' | 'platform';

/** Every day of [from, to] (UTC), so days without calls show as zero. */
function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const n = (v: number) => v.toLocaleString('en-US');
const short = (id: string) => (id ? `${id.slice(0, 8)}…` : '(none)');

export function AnalyticsPage() {
  return <AnalyticsView scope="workspace" />;
}

export function PlatformAnalyticsPage() {
  return <AnalyticsView scope="platform" />;
}

function AnalyticsView({ scope }: { scope: Scope }) {
  const isPlatform = scope === 'platform';
  const today = day(new Date());
  const [range, setRange] = useState({ from: day(new Date(Date.now() - 29 * DAY)), to: today });
  const [split, setSplit] = useState<Split>(isPlatform ? 'workspace' : 'model');
  const window = { from: `${range.from}T00:00:00.000Z`, to: new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY).toISOString() };
  const byDay = useUsageSummary({ ...window, groupBy: 'day', split }, scope);
  const byProvider = useUsageSummary({ ...window, groupBy: 'provider' }, scope);
  const byModel = useUsageSummary({ ...window, groupBy: 'model' }, scope);
  const byKey = useUsageSummary({ ...window, groupBy: 'apiKey' }, scope);
  const byAgent = useUsageSummary({ ...window, groupBy: 'agent' }, scope);
  const byWorkspace = useUsageSummary({ ...window, groupBy: 'workspace' }, scope, isPlatform);
  const toast = useToast();
  const days = useMemo(() => daysOf(range.from, range.to), [range.from, range.to]);

  const preset = (length: number) => setRange({ from: day(new Date(Date.now() - (length - 1) * DAY)), to: today });
  const exportCsv = async () => {
    try {
      const blob = await download(isPlatform ? '/admin/usage/events.csv' : '/usage/events.csv', window);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `usage-${isPlatform ? 'all-' : ''}${range.from}-${range.to}.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      toast.error(error instanceof Error ? error.message : 'Export failed');
    }
  };

  return (
    <>
      <PageHeader
        title={isPlatform ? 'AI analytics, all workspaces' : 'Analytics'}
        description={isPlatform
          ? 'What every workspace\'s model calls cost, which workspaces and keys made them, and how fast providers answered. Costs in USD, frozen at call time; unpriced calls are counted apart, never as $0.'
          : 'What your workspace\'s model calls cost, who made them, and how fast providers answered. Costs in USD, frozen at call time; unpriced calls are counted apart, never as $0.'}
        actions={<button type="button" className="btn btn-secondary" onClick={() => void exportCsv()}><Icon name="external" /> Export CSV</button>}
      />
      <div className="range-bar" role="group" aria-label="Date range">
        {[7, 30, 90].map((d) => <button key={d} type="button" className="btn btn-ghost btn-sm" onClick={() => preset(d)}>{d} days</button>)}
        <label>From <input type="date" className="input input-sm" value={range.from} max={range.to} onChange={(e) => e.target.value && setRange({ ...range, from: e.target.value })} /></label>
        <label>To <input type="date" className="input input-sm" value={range.to} min={range.from} max={today} onChange={(e) => e.target.value && setRange({ ...range, to: e.target.value })} /></label>
      </div>
      <QueryView query={byDay} loadingLabel="Loading usage…">
        {(summary) => summary.totals.calls === 0 ? (
          <Card>
            {isPlatform ? (
              <EmptyState icon="layers" title="No model calls in any workspace in this range">
                Workspaces call models once they connect a provider (or use one you configure for them). Try a longer range.
              </EmptyState>
            ) : (
              <EmptyState icon="layers" title="No model calls in this range" action={<Link to="/ai/providers" className="btn btn-primary">Add a provider</Link>}>
                Connect a model provider, then call it from the playground, your agents, or any OpenAI or Anthropic client pointed at this workspace.
              </EmptyState>
            )}
          </Card>
        ) : (
          <>
            <Figures summary={summary} />
            <div className="usage-grid">
              <Card title="Cost per day">
                <CostLineChart days={days} costMicros={days.map((d) => summary.groups.filter((g) => g.key === d).reduce((s, g) => s + g.costMicros, 0))} format={(v) => formatUsd(Math.round(v))} />
              </Card>
              <Card
                title="Tokens per day"
                actions={(
                  <select className="input input-sm" aria-label="Stack tokens by" value={split} onChange={(e) => setSplit(e.target.value as Split)}>
                    {isPlatform ? <option value="workspace">by workspace</option> : null}
                    <option value="model">by model</option><option value="apiKey">by API key</option><option value="agent">by agent</option>
                  </select>
                )}
              >
                <StackedTokensChart days={days} layers={layersOf(summary, days, split)} />
              </Card>
            </div>
          </>
        )}
      </QueryView>
      <div className="usage-grid">
        <Card title="Requests per provider">
          <QueryView query={byProvider}>{(s) => (s.groups.length ? <SharePie slices={s.groups.map((g) => ({ label: g.key || '(refused before routing)', value: g.calls }))} /> : <p className="muted">No calls.</p>)}</QueryView>
        </Card>
        <Card title="Latency per model" description="Provider latency, p50 and p95 (from a histogram: within a bucket's width)">
          <QueryView query={byModel}>{(s) => (
            <table className="table table-compact" data-testid="latency-table">
              <thead><tr><th scope="col">Model</th><th scope="col">Calls</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">Errors</th><th scope="col">Cost</th></tr></thead>
              <tbody>{s.groups.map((g) => (
                <tr key={g.key}><td><code>{g.key}</code></td><td>{n(g.calls)}</td><td>{g.p50LatencyMs === null ? '—' : `${n(g.p50LatencyMs)} ms`}</td><td>{g.p95LatencyMs === null ? '—' : `${n(g.p95LatencyMs)} ms`}</td><td>{formatPercent(g.calls ? g.errorCalls / g.calls : 0)}</td><td>{formatUsd(g.costMicros)}{g.unpricedCalls ? <span className="muted"> + {g.unpricedCalls} unpriced</span> : null}</td></tr>
              ))}</tbody>
            </table>
          )}</QueryView>
        </Card>
        {isPlatform ? <Card title="Top workspaces"><QueryView query={byWorkspace}>{(s) => <TopList summary={s} label="Workspace" />}</QueryView></Card> : null}
        <Card title="Top API keys"><QueryView query={byKey}>{(s) => <TopList summary={s} label="API key" />}</QueryView></Card>
        <Card title="Top agents"><QueryView query={byAgent}>{(s) => <TopList summary={s} label="Agent" />}</QueryView></Card>
      </div>
    </>
  );
}

function layersOf(summary: UsageSummary, days: string[], split: Split): Array<{ label: string; values: number[] }> {
  const totals = new Map<string, number>();
  for (const g of summary.groups) totals.set(g.split ?? '', (totals.get(g.split ?? '') ?? 0) + g.inputTokens + g.outputTokens);
  // The eight biggest, the rest as one layer.
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const shown = ranked.slice(0, 8);
  const layerOf = (key: string) => (shown.includes(key) ? key : '__other');
  const keys = [...shown, ...(ranked.length > 8 ? ['__other'] : [])];
  return keys.map((k) => ({
    label: k === '__other' ? 'Others' : split === 'model' ? k : k ? summary.labels[k] ?? short(k) : split === 'agent' ? '(no agent)' : '(a user session)',
    values: days.map((d) => summary.groups.filter((g) => g.key === d && layerOf(g.split ?? '') === k).reduce((s, g) => s + g.inputTokens + g.outputTokens, 0)),
  }));
}

function Figures({ summary }: { summary: UsageSummary }) {
  const t = summary.totals;
  return (
    <div className="figures" data-testid="usage-figures">
      <div className="figure"><span className="figure-label">Cost</span><strong>{formatUsd(t.costMicros)}</strong>{t.unpricedCalls ? <span className="muted small">+ {n(t.unpricedCalls)} unpriced call(s)</span> : null}</div>
      <div className="figure"><span className="figure-label">Calls</span><strong>{n(t.calls)}</strong></div>
      <div className="figure"><span className="figure-label">Tokens</span><strong>{n(t.inputTokens + t.outputTokens)}</strong><span className="muted small">{n(t.inputTokens)} in · {n(t.outputTokens)} out</span></div>
      <div className="figure"><span className="figure-label">Error rate</span><strong>{formatPercent(t.calls ? t.errorCalls / t.calls : 0)}</strong></div>
      <div className="figure"><span className="figure-label">Latency p95</span><strong>{t.p95LatencyMs === null ? '—' : `${n(t.p95LatencyMs)} ms`}</strong></div>
    </div>
  );
}

function TopList({ summary, label }: { summary: UsageSummary; label: string }) {
  const rows = summary.groups.filter((g) => g.key !== '').slice(0, 10);
  if (rows.length === 0) return <p className="muted">No calls by {label === 'API key' ? 'an API key' : label === 'Workspace' ? 'any workspace' : 'an agent'} in this range.</p>;
  return (
    <table className="table table-compact">
      <thead><tr><th scope="col">{label}</th><th scope="col">Calls</th><th scope="col">Tokens</th><th scope="col">Cost</th></tr></thead>
      <tbody>{rows.map((g) => <tr key={g.key}><td>{summary.labels[g.key] ? <span title={g.key}>{summary.labels[g.key]}</span> : <code title={g.key}>{short(g.key)}</code>}</td><td>{n(g.calls)}</td><td>{n(g.inputTokens + g.outputTokens)}</td><td>{formatUsd(g.costMicros)}</td></tr>)}</tbody>
    </table>
  );
}
