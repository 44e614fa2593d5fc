// A call's cost in USD micro-units from its token counts and the price in effect. Rounded up
// (ceil): a call that used tokens never costs 0 by rounding. Cached prompt tokens use the cached
// price (the input price when the model has none), cache writes likewise.
import type { TokenCounts } from '../usage/index.ts';
import type { Price } from './prices.store.ts';

const MTOK = 1_000_000;

export function costOf(tokens: TokenCounts, price: Price): number {
  const cached = Math.min(tokens.cachedInputTokens, tokens.inputTokens);
  const written = Math.min(tokens.cacheWriteTokens, tokens.inputTokens - cached);
  const plain = tokens.inputTokens - cached - written;
  const numerator = plain * price.inputPerMtok
    + cached * (price.cachedInputPerMtok ?? price.inputPerMtok)
    + written * (price.cacheWritePerMtok ?? price.inputPerMtok)
    + tokens.outputTokens * price.outputPerMtok;
  return Math.ceil(numerator / MTOK);
}

/** The most a call can cost: its prompt and its whole output cap, at full price. */
export function maxCostOf(promptTokens: number, outputCap: number, price: Price): number {
  return Math.ceil((promptTokens * price.inputPerMtok + outputCap * price.outputPerMtok) / MTOK);
}
