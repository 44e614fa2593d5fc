// GET /v1/models: what the workspace can name — its aliases, and each enabled provider's models
// (asked live, 5 s at most per provider, cached a minute; a provider that does not answer is
// left out and logged) filtered by the allow-list.
import type { LlmContext } from './llm.context.ts';
import type { CallPrincipal } from './llm.types.ts';
import { ADAPTERS } from './providers/adapters.ts';
import type { Target } from './providers/provider.types.ts';
import { selectAliases, selectPlatformProviders, selectProviders } from './providers.store.ts';
import { ALLOWED_MODELS_SETTING, isModelAllowed } from './resolve-model.ts';
import { targetOf } from './manage-providers.ts';

const CACHE_MS = 60_000;

export function createModelLister(ctx: LlmContext) {
  const cache = new Map<string, { models: string[]; expiresAt: number }>();
  return async function listModels(principal: CallPrincipal): Promise<Array<{ id: string; ownedBy: string }>> {
    const ws = principal.workspaceId;
    const { aliases, targets, allowed } = await ctx.db.withWorkspace(ws, async (tx) => {
      const [workspace, own, platform, aliasRows] = await Promise.all([ctx.tenancy.getWorkspace(tx, ws), selectProviders(tx, ws), selectPlatformProviders(tx), selectAliases(tx, ws)]);
      const enabled = [...own, ...platform].filter((p) => p.is_enabled);
      const list: Target[] = [];
      for (const p of enabled) {
        // A provider whose key is gone (its secret deleted) lists nothing; the others still do.
        const target = await targetOf(ctx, tx, ws, p).catch((err: unknown) => {
          ctx.log.warn({ workspaceId: ws, provider: p.name, err: (err as Error).message }, 'provider skipped in the model list');
          return null;
        });
        if (target) list.push({ ...target, timeoutMs: 5000 });
      }
      return { aliases: aliasRows, targets: list, allowed: (workspace?.settings[ALLOWED_MODELS_SETTING.key] as string[] | undefined) ?? [] };
    });
    const perProvider = await Promise.all(targets.map(async (t) => {
      const key = `${ws}:${t.providerId}`;
      const hit = cache.get(key);
      if (hit && hit.expiresAt > Date.now()) return { t, models: hit.models };
      try {
        const models = await ADAPTERS[t.kind].listModels(t);
        if (cache.size > 10_000) cache.clear();
        cache.set(key, { models, expiresAt: Date.now() + CACHE_MS });
        return { t, models };
      } catch (err) {
        ctx.log.warn({ workspaceId: ws, provider: t.providerName, err: (err as Error).message }, 'provider models could not be listed');
        return { t, models: [] as string[] };
      }
    }));
    return [
      ...aliases.map((a) => ({ id: a.name, ownedBy: 'alias' })),
      ...perProvider.flatMap(({ t, models }) => models.filter((m) => isModelAllowed(allowed, t.providerName, m)).map((m) => ({ id: `${t.providerName}/${m}`, ownedBy: t.providerName }))),
    ];
  };
}
