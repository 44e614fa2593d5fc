// Charts of the analytics page, drawn with uPlot (the console's chart library, see
// admin-dashboard-chart.tsx): cost per day as a line, tokens per day stacked by a dimension as
// bars, and requests per provider as a pie (plain SVG: uPlot draws no pies).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#4f46e5', '#0891b2', '#16a34a', '#d97706', '#dc2626', '#9333ea', '#db2777', '#65a30d', '#0d9488', '#64748b'];

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

type Series = { label: string; values: number[]; format: (v: number) => string; color?: string; isBars?: boolean };

/** One uPlot instance over days (`x` as 'YYYY-MM-DD'), redrawn when the data change. */
function DayChart({ days, series, height = 220, label, testId }: { days: string[]; series: Series[]; height?: number; label: string; testId: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const muted = cssVar('--text-muted', '#6b6b76');
    const grid = cssVar('--border', '#e4e4e7');
    const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined;
    const plot = new uPlot({
      width: Math.max(280, el.clientWidth), height,
      legend: { show: true }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
      axes: [axis, { ...axis, size: 84, values: (_u, ticks) => ticks.map((t) => series[0]?.format(t) ?? String(t)) }],
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 10)) },
        ...series.map((s, i) => {
          const color = s.color ?? PALETTE[i % PALETTE.length];
          return { label: s.label, stroke: color, fill: s.isBars ? color : `${color}22`, width: s.isBars ? 0 : 2, paths: s.isBars ? bars : undefined, points: { show: !s.isBars }, value: (_u: uPlot, v: number | null) => (v == null ? '—' : s.format(v)) };
        }),
      ],
    }, [days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000), ...series.map((s) => s.values)], el);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [days, series, height]);
  return <div ref={container} className="dash-chart-canvas" role="img" aria-label={label} data-testid={testId} />;
}

export function CostLineChart({ days, costMicros, format }: { days: string[]; costMicros: number[]; format: (micros: number) => string }) {
  const total = costMicros.reduce((a, b) => a + b, 0);
  return <DayChart days={days} series={[{ label: 'Cost', values: costMicros, format }]} label={`Cost per day: ${format(total)} over ${days.length} days`} testId="cost-chart" />;
}

/**
 * Tokens per day, stacked by a dimension: each series is drawn as the running total up to it,
 * largest first, so every layer shows its own share (uPlot has no stacking of its own).
 */
export function StackedTokensChart({ days, layers }: { days: string[]; layers: Array<{ label: string; values: number[] }> }) {
  const fmt = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(Math.round(v)));
  const running = layers.map((_, i) => days.map((_d, j) => layers.slice(0, i + 1).reduce((n, l) => n + l.values[j], 0)));
  const series: Series[] = layers.map((l, i) => ({ label: l.label, values: running[i], format: fmt, isBars: true, color: PALETTE[i % PALETTE.length] })).reverse();
  const total = layers.reduce((n, l) => n + l.values.reduce((a, b) => a + b, 0), 0);
  return <DayChart days={days} series={series} label={`Tokens per day by ${layers.length} groups: ${fmt(total)} in all`} testId="tokens-chart" />;
}

/** A pie of shares (requests per provider), with its legend. */
export function SharePie({ slices }: { slices: Array<{ label: string; value: number }> }) {
  const total = slices.reduce((n, s) => n + s.value, 0);
  let angle = -Math.PI / 2;
  const arcs = slices.map((s, i) => {
    const sweep = total ? (s.value / total) * Math.PI * 2 : 0;
    const start = angle;
    angle += sweep;
    const large = sweep > Math.PI ? 1 : 0;
    const [x1, y1, x2, y2] = [Math.cos(start), Math.sin(start), Math.cos(angle), Math.sin(angle)].map((v) => 50 + 45 * v);
    const path = sweep >= Math.PI * 2 - 1e-9 ? 'M 50 5 A 45 45 0 1 1 49.99 5 Z' : `M 50 50 L ${x1} ${y1} A 45 45 0 ${large} 1 ${x2} ${y2} Z`;
    return { path, color: PALETTE[i % PALETTE.length], ...s };
  });
  return (
    <div className="pie" data-testid="provider-pie">
      <svg viewBox="0 0 100 100" width="140" height="140" role="img" aria-label={slices.map((s) => `${s.label}: ${s.value}`).join(', ')}>
        {arcs.map((a) => <path key={a.label} d={a.path} fill={a.color}><title>{`${a.label}: ${a.value}`}</title></path>)}
      </svg>
      <ul className="pie-legend">
        {arcs.map((a) => (
          <li key={a.label}><span className="swatch" style={{ background: a.color }} />{a.label} <span className="muted">{a.value} ({total ? Math.round((a.value / total) * 100) : 0} %)</span></li>
        ))}
      </ul>
    </div>
  );
}
