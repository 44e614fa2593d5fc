// Which workspaces get a label of their own in the per-workspace metrics: at most `n`, so a
// platform with 10,000 workspaces exports at most n + 1 series per metric and label set ("other"
// holds the rest). The n are the busiest of the previous window (by requests counted here, per
// process); while fewer than n are labelled, a workspace seen for the first time takes a free
// place at once (a small installation sees every workspace by name). A workspace that falls out
// of the top n goes to "other" at the next window; its series stops growing (counters stay
// monotonic per series, as Prometheus expects).
export type TopWorkspaces = { label(workspaceId: string): string };

export function createTopWorkspaces(options: { n: number; windowMs?: number; now?: () => number }): TopWorkspaces {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const MAX_TRACKED = 100_000; // distinct workspaces counted per window: beyond, not ranked (memory bound)
  let labelled = new Set<string>();
  let counts = new Map<string, number>();
  let windowEndsAt = now() + windowMs;

  function rotate(): void {
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, options.n).map(([id]) => id);
    labelled = new Set(ranked);
    counts = new Map();
    windowEndsAt = now() + windowMs;
  }

  return {
    label(workspaceId) {
      if (options.n <= 0) return 'other';
      if (now() >= windowEndsAt) rotate();
      const seen = counts.get(workspaceId);
      if (seen !== undefined) counts.set(workspaceId, seen + 1);
      else if (counts.size < MAX_TRACKED) counts.set(workspaceId, 1);
      if (labelled.has(workspaceId)) return workspaceId;
      if (labelled.size < options.n) {
        labelled.add(workspaceId);
        return workspaceId;
      }
      return 'other';
    },
  };
}
