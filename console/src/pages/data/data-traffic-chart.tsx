// Data-API traffic over a window, drawn with uPlot (as the admin dashboard's chart): requests per
// bucket as bars, p95 latency as a line on its own axis (ms).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DataMetrics } from '../../api/data.ts';
import { chartTheme } from '../../lib/chart-theme.ts';

const HEIGHT = 220;

/** Every bucket of the window, the empty ones at zero (the API sends only buckets with requests). */
function toData(metrics: DataMetrics): uPlot.AlignedData {
  const step = metrics.bucketSeconds;
  const first = Math.floor(Date.parse(metrics.from) / 1000 / step) * step;
  const last = Math.floor(Date.parse(metrics.to) / 1000 / step) * step;
  const byAt = new Map(metrics.points.map((p) => [Date.parse(p.at) / 1000, p]));
  const xs: number[] = [];
  for (let t = first; t <= last; t += step) xs.push(t);
  return [xs, xs.map((t) => byAt.get(t)?.requests ?? 0), xs.map((t) => byAt.get(t)?.errors ?? 0), xs.map((t) => byAt.get(t)?.p95 ?? null)];
}

export function DataTrafficChart({ metrics }: { metrics: DataMetrics }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const bucket = metrics.bucketSeconds;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const { accent, danger, muted, axis } = chartTheme();
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 24] }) : undefined;
    const plot = new uPlot({
      width: Math.max(280, el.clientWidth),
      height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: (_u, min, max) => [min - bucket / 2, max + bucket / 2] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] }, ms: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil((max ?? 0) * 1.2))] } },
      axes: [axis, { ...axis, size: 44 }, { ...axis, scale: 'ms', side: 1, size: 50, grid: { show: false }, values: (_u, vals) => vals.map((v) => `${v} ms`) }],
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })) },
        { label: 'Requests', stroke: accent, fill: `${accent}55`, width: 1, paths: bars, points: { show: false } },
        { label: 'Errors', stroke: danger, fill: `${danger}66`, width: 1, paths: bars, points: { show: false } },
        { label: 'p95', scale: 'ms', stroke: muted, width: 2, points: { show: true, size: 4 }, value: (_u, v) => (v == null ? '—' : `${v.toFixed(1)} ms`) },
      ],
    }, toData({ ...metrics, points: [] }), el);
    chart.current = plot;
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [bucket]);

  useEffect(() => {
    chart.current?.setData(toData(metrics));
  }, [metrics]);

  return (
    <figure className="dash-chart">
      <div ref={container} className="dash-chart-canvas" role="img" aria-label={`Data API requests over ${metrics.range}: ${metrics.totals.requests} requests, ${metrics.totals.clientErrors + metrics.totals.serverErrors} errors`} data-testid="data-traffic-chart" />
    </figure>
  );
}
