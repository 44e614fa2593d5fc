// Executions and errors per hour over the last 24 hours, drawn with uPlot: a small (≈50 kB),
// dependency-free, canvas chart library that is actively kept (leeoniya/uPlot). Recharts would
// have brought Redux, Immer and D3 pieces for one chart. uPlot is imperative, so this component
// owns one instance: created on mount, fed new data on refresh, resized with its container.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Dashboard } from '../../api/admin-dashboard.ts';
import { chartTheme } from '../../lib/chart-theme.ts';

type Point = Dashboard['hourly'][number];

function toData(points: Point[]): uPlot.AlignedData {
  return [
    points.map((p) => Date.parse(p.hour) / 1000),
    points.map((p) => p.executions),
    points.map((p) => p.failedExecutions + p.serverErrors),
  ];
}

const HEIGHT = 220;

export function ExecutionsChart({ points }: { points: Point[] }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const { accent, danger, axis } = chartTheme();
    const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 28] }) : undefined;
    const plot = new uPlot({
      width: Math.max(280, el.clientWidth),
      height: HEIGHT,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // Half an hour of room on each side, so the first and last bars are whole.
      scales: { x: { time: true, range: (_u, min, max) => [min - 1800, max + 1800] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
      axes: [axis, { ...axis, size: 44 }],
      series: [
        { label: 'Hour', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })) },
        { label: 'Executions', stroke: accent, fill: `${accent}55`, width: 1, paths: bars, points: { show: false } },
        { label: 'Errors', stroke: danger, width: 2, points: { show: true, size: 5, fill: danger } },
      ],
    }, toData([]), el);
    chart.current = plot;
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: HEIGHT }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setData(toData(points));
  }, [points]);

  const total = points.reduce((s, p) => s + p.executions, 0);
  const errors = points.reduce((s, p) => s + p.failedExecutions + p.serverErrors, 0);
  return (
    <figure className="dash-chart">
      <div ref={container} className="dash-chart-canvas" role="img" aria-label={`Executions and errors per hour over the last 24 hours: ${total} executions, ${errors} errors`} data-testid="executions-chart" />
    </figure>
  );
}
