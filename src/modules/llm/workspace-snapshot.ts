// What the gateway needs to route and admit a workspace's call — its plan and settings, its
// providers (and the operator's), their keys, its aliases, its quota rows, the prices it has
// asked for — read in one transaction and kept 5 seconds, so a call's hot path reads nothing
// unless a limit applies. Changes made in this process (providers, aliases, prices, quotas)
// reload it at once; another process sees them within 5 seconds (docs/adr/0015).
import type { Tx } from '../../kernel/db/database.ts';
import type { AppError } from '../../kernel/errors.ts';
import type { QuotaRow } from '../usage/index.ts';
import type { LlmContext } from './llm.context.ts';
import { llmErrors } from './llm.errors.ts';
import type { Price } from './prices.store.ts';
import { selectPriceFor } from './prices.store.ts';
import type { AliasRow, PlatformProviderRow, ProviderRow } from './providers.store.ts';
import { selectAliases, selectPlatformProviders, selectProviders } from './providers.store.ts';
import { decrypt } from '../../kernel/crypto.ts';

export const SNAPSHOT_TTL_MS = 5_000;

export type AnyProvider = ProviderRow | PlatformProviderRow;

export type Snapshot = {
  loadedAt: number;
  plan: string;
  settings: Record<string, unknown>;
  /** Enabled providers, the workspace's first. */
  providers: AnyProvider[];
  aliases: Map<string, AliasRow>;
  quotas: QuotaRow[];
  /** A provider's key, or the error that reading it gave (a deleted secret). */
  keys: Map<string, string | null | AppError>;
  prices: Map<string, Promise<Price | null>>;
};

/** A provider's key: the operator's unsealed, or the workspace's read from its vault; an AppError when it can't be read. */
export async function keyOf(ctx: LlmContext, tx: Tx, workspaceId: string, p: AnyProvider): Promise<string | null | AppError> {
  if (p.owner === 'platform') {
    const sealed = (p as PlatformProviderRow).key_sealed;
    if (!sealed) return null;
    return decrypt(ctx.platformKey, sealed, `llm-platform-provider:${p.id}`)
      ?? llmErrors.create('PROVIDER_ERROR', `The operator provider "${p.name}" has a key that does not decrypt; a platform admin must set it again`);
  }
  const name = (p as ProviderRow).secret_name;
  if (!name) return null;
  return ctx.secrets.resolve(tx, workspaceId, name).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'SECRET_NOT_FOUND') return llmErrors.create('PROVIDER_INVALID', `The provider "${p.name}" names the secret "${name}", which is not in this workspace's vault`);
    throw err;
  });
}

export function createSnapshots(ctx: LlmContext) {
  const cache = new Map<string, Promise<Snapshot>>();

  async function load(workspaceId: string): Promise<Snapshot> {
    return ctx.db.withWorkspace(workspaceId, async (tx) => {
      const [workspace, own, platform, aliases, quotas] = await Promise.all([
        ctx.tenancy.getWorkspace(tx, workspaceId), selectProviders(tx, workspaceId), selectPlatformProviders(tx), selectAliases(tx, workspaceId), ctx.usage.quotaRows(tx, workspaceId),
      ]);
      if (!workspace) throw llmErrors.create('MODEL_NOT_FOUND', 'Unknown workspace');
      const providers = [...own, ...platform].filter((p) => p.is_enabled);
      const keys = new Map<string, string | null | AppError>();
      for (const p of providers) keys.set(p.id, await keyOf(ctx, tx, workspaceId, p));
      return { loadedAt: Date.now(), plan: workspace.plan, settings: workspace.settings, providers, aliases: new Map(aliases.map((a) => [a.name, a])), quotas, keys, prices: new Map() };
    });
  }

  return {
    async get(workspaceId: string): Promise<Snapshot> {
      const hit = cache.get(workspaceId);
      if (hit) {
        const snap = await hit.catch(() => null);
        if (snap && Date.now() - snap.loadedAt < SNAPSHOT_TTL_MS && snap.loadedAt > ctx.usage.quotasChangedAt(workspaceId)) return snap;
      }
      const loading = load(workspaceId);
      if (cache.size > 10_000) cache.clear();
      cache.set(workspaceId, loading);
      loading.catch(() => cache.delete(workspaceId));
      return loading;
    },
    /** A model's price in effect for the workspace (read once per snapshot). */
    price(snapshot: Snapshot, workspaceId: string, model: string): Promise<Price | null> {
      let p = snapshot.prices.get(model);
      if (!p) {
        p = ctx.db.withWorkspace(workspaceId, (tx) => selectPriceFor(tx, workspaceId, model, new Date()));
        snapshot.prices.set(model, p);
        p.catch(() => snapshot.prices.delete(model));
      }
      return p;
    },
    invalidate(workspaceId?: string): void {
      if (workspaceId) cache.delete(workspaceId);
      else cache.clear();
    },
  };
}

export type Snapshots = ReturnType<typeof createSnapshots>;
