// GET /v1/models: what the workspace can name — its aliases, and each enabled provider's models
// (asked live, 5 s at most per provider, cached a minute; a provider that does not answer, or
// whose key can't be read, is left out and logged) filtered by the allow-list. Providers, keys
// and aliases come from the gateway's routing snapshot: nothing is read per call.
import { AppError } from '../../kernel/errors.ts';
import type { LlmContext } from './llm.context.ts';
import type { CallPrincipal } from './llm.types.ts';
import { ADAPTERS } from './providers/adapters.ts';
import type { Target } from './providers/provider.types.ts';
import { PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import { ALLOWED_MODELS_SETTING, isModelAllowed } from './resolve-model.ts';

const CACHE_MS = 60_000;

export function createModelLister(ctx: LlmContext) {
  const cache = new Map<string, { models: string[]; expiresAt: number }>();
  return async function listModels(principal: CallPrincipal): Promise<Array<{ id: string; ownedBy: string }>> {
    const ws = principal.workspaceId;
    const snapshot = await ctx.snapshots.get(ws);
    const allowed = (snapshot.settings[ALLOWED_MODELS_SETTING.key] as string[] | undefined) ?? [];
    const targets: Target[] = [];
    for (const p of snapshot.providers) {
      const key = snapshot.keys.get(p.id) ?? null;
      if (key instanceof AppError) {
        ctx.log.warn({ workspaceId: ws, provider: p.name, err: key.message }, 'provider skipped in the model list');
        continue;
      }
      targets.push({
        providerId: p.id, providerName: p.name, owner: p.owner, kind: p.kind, baseUrl: p.base_url, apiKey: key, timeoutMs: 5000, model: '',
        isPrivateAllowed: p.owner === 'platform' ? true : snapshot.settings[PRIVATE_NETWORK_SETTING.key] === true,
      });
    }
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
      ...[...snapshot.aliases.keys()].sort().map((name) => ({ id: name, ownedBy: 'alias' })),
      ...perProvider.flatMap(({ t, models }) => models.filter((m) => isModelAllowed(allowed, t.providerName, m)).map((m) => ({ id: `${t.providerName}/${m}`, ownedBy: t.providerName }))),
    ];
  };
}
