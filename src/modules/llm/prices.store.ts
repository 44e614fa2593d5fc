// The price catalogue (versioned, effective-dated) and a workspace's overrides. The price of a
// call is the latest version in effect at call time, the workspace's override first.
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';

export type Price = {
  id: string; model: string; effectiveFrom: string; currency: string; source: 'catalogue' | 'admin' | 'workspace';
  inputPerMtok: number; outputPerMtok: number; cachedInputPerMtok: number | null; cacheWritePerMtok: number | null;
};

type Row = { id: string; model: string; effective_from: Date; currency: string; source: Price['source']; input_per_mtok: string; output_per_mtok: string; cached_input_per_mtok: string | null; cache_write_per_mtok: string | null };

const toPrice = (r: Row): Price => ({
  id: r.id, model: r.model, effectiveFrom: r.effective_from.toISOString(), currency: r.currency, source: r.source,
  inputPerMtok: toNumber(r.input_per_mtok), outputPerMtok: toNumber(r.output_per_mtok),
  cachedInputPerMtok: r.cached_input_per_mtok === null ? null : toNumber(r.cached_input_per_mtok), cacheWritePerMtok: r.cache_write_per_mtok === null ? null : toNumber(r.cache_write_per_mtok),
});

const COLUMNS = 'id, model, effective_from, currency, input_per_mtok, output_per_mtok, cached_input_per_mtok, cache_write_per_mtok';

/**
 * Candidates for a model name: the name itself, and every catalogue name it extends with a
 * dated or versioned suffix ('claude-sonnet-4-5-20250929' is priced as 'claude-sonnet-4-5').
 * The longest match wins; the workspace's override beats the catalogue at equal length.
 */
export async function selectPriceFor(tx: Tx, workspaceId: string, model: string, at: Date): Promise<Price | null> {
  const { rows } = await tx.query<Row>(
    `select * from (
       select ${COLUMNS}, 'workspace' as source, 1 as rank from llm_workspace_prices
        where workspace_id = $1 and effective_from <= $3 and ($2 = model or $2 like replace(replace(model, '%', '\\%'), '_', '\\_') || '-%')
       union all
       select ${COLUMNS}, source, 2 as rank from llm_prices
        where effective_from <= $3 and ($2 = model or $2 like replace(replace(model, '%', '\\%'), '_', '\\_') || '-%')) p
     order by length(model) desc, rank, effective_from desc limit 1`,
    [workspaceId, model, at]);
  return rows[0] ? toPrice(rows[0]) : null;
}

/** Every model's price in effect now for the workspace (its overrides marked). */
export async function selectEffectivePrices(tx: Tx, workspaceId: string, at: Date): Promise<Price[]> {
  const { rows } = await tx.query<Row>(
    `select distinct on (model) * from (
       select ${COLUMNS}, 'workspace' as source, 1 as rank from llm_workspace_prices where workspace_id = $1 and effective_from <= $2
       union all
       select ${COLUMNS}, source, 2 as rank from llm_prices where effective_from <= $2) p
     order by model, rank, effective_from desc`, [workspaceId, at]);
  return rows.map(toPrice);
}

export async function selectCatalogue(tx: Tx): Promise<Price[]> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS}, source from llm_prices order by model, effective_from desc`);
  return rows.map(toPrice);
}

export type PriceWrite = { model: string; effectiveFrom: string; inputPerMtok: number; outputPerMtok: number; cachedInputPerMtok: number | null; cacheWritePerMtok: number | null };

export async function insertCataloguePrice(tx: Tx, p: PriceWrite, createdBy: string | null): Promise<Price | null> {
  const { rows } = await tx.query<Row>(
    `insert into llm_prices (model, effective_from, input_per_mtok, output_per_mtok, cached_input_per_mtok, cache_write_per_mtok, source, created_by)
     values ($1, $2, $3, $4, $5, $6, 'admin', $7) on conflict (model, effective_from) do nothing returning ${COLUMNS}, source`,
    [p.model, p.effectiveFrom, p.inputPerMtok, p.outputPerMtok, p.cachedInputPerMtok, p.cacheWritePerMtok, createdBy]);
  return rows[0] ? toPrice(rows[0]) : null;
}

export async function insertWorkspacePrice(tx: Tx, workspaceId: string, p: PriceWrite, createdBy: string | null): Promise<Price | null> {
  const { rows } = await tx.query<Row>(
    `insert into llm_workspace_prices (workspace_id, model, effective_from, input_per_mtok, output_per_mtok, cached_input_per_mtok, cache_write_per_mtok, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (workspace_id, model, effective_from) do nothing returning ${COLUMNS}, 'workspace' as source`,
    [workspaceId, p.model, p.effectiveFrom, p.inputPerMtok, p.outputPerMtok, p.cachedInputPerMtok, p.cacheWritePerMtok, createdBy]);
  return rows[0] ? toPrice(rows[0]) : null;
}

export async function deleteWorkspacePrices(tx: Tx, workspaceId: string, model: string): Promise<number> {
  const { rowCount } = await tx.query('delete from llm_workspace_prices where workspace_id = $1 and model = $2', [workspaceId, model]);
  return rowCount ?? 0;
}
