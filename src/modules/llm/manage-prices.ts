// Prices: the catalogue's versions (platform admins add one effective from a date; nothing is
// edited in place, so a past call keeps the price it was charged) and a workspace's overrides.
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditContext } from '../audit/index.ts';
import type { LlmContext } from './llm.context.ts';
import { llmErrors } from './llm.errors.ts';
import type { Price, PriceWrite } from './prices.store.ts';
import { deleteWorkspacePrices, insertCataloguePrice, insertWorkspacePrice } from './prices.store.ts';

export type PriceInput = Omit<PriceWrite, 'effectiveFrom' | 'cachedInputPerMtok' | 'cacheWritePerMtok'> & { effectiveFrom?: string; cachedInputPerMtok?: number | null; cacheWritePerMtok?: number | null };

function writeOf(input: PriceInput, now: Date): PriceWrite {
  return {
    model: input.model, effectiveFrom: input.effectiveFrom ? new Date(input.effectiveFrom).toISOString() : now.toISOString(),
    inputPerMtok: input.inputPerMtok, outputPerMtok: input.outputPerMtok, cachedInputPerMtok: input.cachedInputPerMtok ?? null, cacheWritePerMtok: input.cacheWritePerMtok ?? null,
  };
}

export async function addCataloguePrice(tx: Tx, context: AuditContext, input: PriceInput): Promise<Price> {
  const price = await insertCataloguePrice(tx, writeOf(input, new Date()), context.actor.id ?? null);
  if (!price) throw llmErrors.create('PRICE_INVALID', `${input.model} already has a price effective from that instant`, { extra: { errors: [{ path: 'body.effectiveFrom', message: 'already has a version' }] } });
  return price;
}

export async function overridePrice(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, input: PriceInput): Promise<Price> {
  const price = await insertWorkspacePrice(tx, workspaceId, writeOf(input, new Date()), context.actor.id ?? null);
  if (!price) throw llmErrors.create('PRICE_INVALID', `${input.model} already has a price effective from that instant`, { extra: { errors: [{ path: 'body.effectiveFrom', message: 'already has a version' }] } });
  await ctx.audit.record(tx, context, { workspaceId, action: 'llm_price.overridden', targetType: 'llm_price', targetId: price.id, diff: { after: { ...price } } });
  return price;
}

export async function removePriceOverrides(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, model: string): Promise<void> {
  const n = await deleteWorkspacePrices(tx, workspaceId, model);
  if (n === 0) throw llmErrors.create('PRICE_OVERRIDE_NOT_FOUND');
  await ctx.audit.record(tx, context, { workspaceId, action: 'llm_price.override_removed', targetType: 'llm_price', targetId: null, diff: { before: { model, versions: n } } });
}
