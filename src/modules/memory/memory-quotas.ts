// How much a workspace's memory may hold, by plan: memories and bytes of text, for the whole
// workspace and for any one agent. An unknown plan gets the free plan's (fail closed).
export type MemoryLimits = { count: number; bytes: number };

const MB = 1024 * 1024;

export const MEMORY_LIMITS: Record<string, { workspace: MemoryLimits; agent: MemoryLimits }> = {
  free: { workspace: { count: 10_000, bytes: 10 * MB }, agent: { count: 5_000, bytes: 5 * MB } },
  pro: { workspace: { count: 250_000, bytes: 500 * MB }, agent: { count: 100_000, bytes: 200 * MB } },
  enterprise: { workspace: { count: 2_000_000, bytes: 5_000 * MB }, agent: { count: 1_000_000, bytes: 2_500 * MB } },
};

export function memoryLimits(plan: string): { workspace: MemoryLimits; agent: MemoryLimits } {
  return MEMORY_LIMITS[plan] ?? MEMORY_LIMITS.free;
}
