// Monthly AI limits per plan, applied to a workspace that has no quota of its own. A workspace
// admin may set its limits within these; a platform admin may set any (brief 004 V3.5).
import type { Limits } from './usage.types.ts';

const MICROS_PER_USD = 1_000_000;

export const PLAN_LIMITS: Record<string, Limits> = {
  free: { tokens: 2_000_000, costMicros: 10 * MICROS_PER_USD },
  pro: { tokens: 100_000_000, costMicros: 1_000 * MICROS_PER_USD },
  enterprise: { tokens: null, costMicros: null },
};

/** The plan's limits; an unknown plan gets the free plan's (fail closed). */
export function planLimits(plan: string): Limits {
  return PLAN_LIMITS[plan] ?? PLAN_LIMITS.free;
}
