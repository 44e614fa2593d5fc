// Rate limits per workspace and per API key, shared by every API process through PostgreSQL
// (docs/adr/0008). Each process leases small batches of tokens from a counter row with one
// atomic statement and spends them locally: most requests cost a Map lookup, and the database
// sees one statement per batch. The counter never hands out more than the limit in a window, so
// all processes together never admit more than the limit; tokens a process leased but did not
// spend expire with the window (at most one second of its own traffic, and at most an eighth of
// what remained when it leased them).
import { defineSetting } from '../settings.ts';
import { performance } from 'node:perf_hooks';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Database } from '../db/database.ts';
import { kernelErrors } from '../errors.ts';
import type { AppError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import type { Principal } from './principal.ts';
import { leaseTokens } from './rate-limit.store.ts';
import type { PlanLimits } from './rate-limit.store.ts';

export type { PlanLimits } from './rate-limit.store.ts';

/** The outcome for one request, and what the RateLimit-* headers say. */
export type RateDecision = { isAllowed: boolean; limit: number; remaining: number; resetSeconds: number };

export type RateLimiter = {
  /** Spend one token of the caller's bucket: its API key's, or its workspace's for a user. */
  take(principal: Pick<Principal, 'workspaceId' | 'apiKeyId'>): RateDecision | Promise<RateDecision>;
};

export type RateLimiterOptions = {
  db: Database;
  limits: PlanLimits;
  log?: Logger;
  /** Monotonic milliseconds; tests pass their own. */
  clock?: () => number;
};

/** Ask for about this much of the bucket's recent traffic per lease. */
const HORIZON_MS = 1_000;
const MAX_LEASE = 10_000;
const MAX_BUCKETS = 10_000;

/**
 * The workspace setting (registered with tenancy from the composition root). `null` follows the
 * plan; a number lowers the limit below the plan's, never above it: workspace admins write their
 * own settings, and raising a limit is the operator's call (plan or config).
 */
export const RATE_LIMIT_SETTING = defineSetting({
  key: 'rate_limit.per_minute',
  description: 'Requests per minute for the workspace\'s users and for each of its API keys; null follows the plan. Can only lower the plan\'s limit.',
  schema: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), Type.Null()]),
  default: null,
});

type Bucket = {
  workspaceId: string;
  subjectId: string;
  /** Leased and not yet spent by this process. */
  tokens: number;
  limit: number;
  /** Tokens nobody had leased yet, at the last lease. */
  unleased: number;
  /** End of the window on the local clock, early by up to the lease's round trip. */
  expiresAt: number;
  /** The last lease came back empty: refuse locally until the window ends. */
  isSpent: boolean;
  /** Requests seen since the last lease was sent, and when it was sent (rate estimate). */
  demand: number;
  leaseSentAt: number;
  pending: Promise<void> | null;
};

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { db, limits, log } = options;
  const clock = options.clock ?? (() => performance.now());
  const buckets = new Map<string, Bucket>();

  function decide(bucket: Bucket, now: number): RateDecision | null {
    if (now >= bucket.expiresAt) return null;
    const resetSeconds = Math.max(0, Math.ceil((bucket.expiresAt - now) / 1000));
    if (bucket.tokens > 0) {
      bucket.tokens--;
      return { isAllowed: true, limit: bucket.limit, remaining: bucket.unleased + bucket.tokens, resetSeconds };
    }
    if (bucket.isSpent) return { isAllowed: false, limit: bucket.limit, remaining: 0, resetSeconds };
    return null;
  }

  async function lease(bucket: Bucket): Promise<void> {
    const sentAt = clock();
    const elapsed = Math.max(1, sentAt - bucket.leaseSentAt);
    const want = Math.min(MAX_LEASE, Math.max(1, Math.ceil((bucket.demand * HORIZON_MS) / elapsed)));
    bucket.demand = 0;
    bucket.leaseSentAt = sentAt;
    let result;
    try {
      result = await leaseTokens(db, bucket.workspaceId, bucket.subjectId, want, limits);
    } catch (err) {
      // Fail closed: without the shared counter no process may admit the request.
      log?.error({ err, workspaceId: bucket.workspaceId }, 'rate limit lease failed');
      throw kernelErrors.create('UNAVAILABLE', 'Rate limiting is unavailable; try again shortly');
    }
    // The window's end measured from when the statement was sent, so the local clock never
    // outlives the database's window (whatever their offset).
    bucket.expiresAt = sentAt + result.resetSeconds * 1000;
    bucket.tokens = result.lease;
    bucket.limit = result.perMinute;
    bucket.unleased = Math.max(0, result.perMinute - result.granted);
    bucket.isSpent = result.lease === 0;
  }

  function prune(now: number): void {
    for (const [key, b] of buckets) if (!b.pending && now >= b.expiresAt) buckets.delete(key);
    // Still full: forget idle buckets. Their unspent tokens are lost (fewer admitted, never more).
    if (buckets.size >= MAX_BUCKETS) for (const [key, b] of buckets) if (!b.pending) buckets.delete(key);
  }

  async function takeSlowly(bucket: Bucket): Promise<RateDecision> {
    for (;;) {
      const decision = decide(bucket, clock());
      if (decision) return decision;
      // One lease in flight per bucket; requests arriving meanwhile wait for it.
      bucket.pending ??= lease(bucket).finally(() => {
        bucket.pending = null;
      });
      await bucket.pending;
    }
  }

  return {
    take(principal) {
      const subjectId = principal.apiKeyId ?? principal.workspaceId;
      const now = clock();
      let bucket = buckets.get(subjectId);
      if (!bucket) {
        if (buckets.size >= MAX_BUCKETS) prune(now);
        // No rate known yet (leaseSentAt -∞): the first lease asks for one token.
        bucket = { workspaceId: principal.workspaceId, subjectId, tokens: 0, limit: 0, unleased: 0, expiresAt: 0, isSpent: false, demand: 0, leaseSentAt: -Infinity, pending: null };
        buckets.set(subjectId, bucket);
      }
      bucket.demand++;
      // Fast path, no await: a token in hand, or a window known to be spent.
      return (bucket.pending ? null : decide(bucket, now)) ?? takeSlowly(bucket);
    },
  };
}

/** The IETF draft headers (draft-ietf-httpapi-ratelimit-headers): limit, remaining, reset (s). */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
}

/**
 * Count the request against the caller's bucket and put the RateLimit-* headers on the reply.
 * Returns the 429 problem to send when the bucket is spent, else null. Synchronous when the
 * process holds a token (the common case): no promise on the hot path.
 */
export function enforceRateLimit(limiter: RateLimiter, principal: Principal, reply: FastifyReply): AppError | null | Promise<AppError | null> {
  const decision = limiter.take(principal);
  return decision instanceof Promise ? decision.then((d) => applyDecision(d, principal, reply)) : applyDecision(decision, principal, reply);
}

function applyDecision(decision: RateDecision, principal: Principal, reply: FastifyReply): AppError | null {
  if (decision.isAllowed) {
    reply.header('ratelimit-limit', decision.limit);
    reply.header('ratelimit-remaining', decision.remaining);
    reply.header('ratelimit-reset', decision.resetSeconds);
    return null;
  }
  const retryAfter = Math.max(1, decision.resetSeconds);
  const who = principal.apiKeyId ? 'this API key' : 'this workspace';
  return kernelErrors.create('RATE_LIMITED', `The limit of ${decision.limit} requests per minute for ${who} is reached. Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`, {
    headers: { ...rateLimitHeaders(decision), 'retry-after': String(retryAfter) },
    extra: { limit: decision.limit, retryAfterSeconds: retryAfter },
  });
}
