// The console's colours for uPlot charts, read from its CSS variables (so a theme change reaches
// the canvas), and the axis style every chart shares.
export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function chartTheme() {
  const accent = cssVar('--accent', '#4f46e5');
  const danger = cssVar('--danger', '#dc2626');
  const muted = cssVar('--text-muted', '#6b6b76');
  const grid = cssVar('--border', '#e4e4e7');
  return { accent, danger, muted, grid, axis: { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } } };
}
