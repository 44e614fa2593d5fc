// From the `model` a caller names to the targets tried in order:
//  * an alias of the workspace (`fast`) → its targets (fallbacks);
//  * `provider/model` → that provider (the workspace's own first, then the operator's);
//  * a bare model name → the only enabled provider, when there is exactly one.
// Every target must pass the workspace's allow-list (setting llm.allowed_models, `*` wildcards
// over `provider/model`; empty: everything allowed). Keys are read from the vault by name
// (cached 10 s per provider version, so a hot path does not write the secret's last-used time
// on every call).
import { Type } from '@fastify/type-provider-typebox';
import { AppError } from '../../kernel/errors.ts';
import { defineSetting } from '../../kernel/settings.ts';
import { PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import { llmErrors } from './llm.errors.ts';
import type { AnyProvider, Snapshot } from './workspace-snapshot.ts';
import type { Target } from './providers/provider.types.ts';

export const ALLOWED_MODELS_SETTING = defineSetting({
  key: 'llm.allowed_models',
  description: 'Models this workspace may call, as `provider/model` patterns (`*` matches anything, e.g. `openai/gpt-4o*`); empty: every model of its providers',
  schema: Type.Array(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s]+$' }), { maxItems: 200 }),
  default: [],
});

/**
 * `*` matches any run of characters, everything else itself: the classic two-pointer wildcard
 * match, O(pattern × value) at worst. (A pattern turned into a RegExp — `*a*a*a…b` — backtracked
 * exponentially on a long model name: a tenant's setting could stall the gateway for everyone.)
 */
export function matches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export function isModelAllowed(allowed: readonly string[], providerName: string, model: string): boolean {
  if (allowed.length === 0) return true;
  const full = `${providerName}/${model}`;
  return allowed.some((p) => matches(p, full));
}

export type Resolved = { targets: Target[]; isAlias: boolean };

/** The targets of a model name, from the workspace's snapshot (no database read). */
export function resolveModel(snapshot: Snapshot, model: string): Resolved {
  const { settings, providers: enabled } = snapshot;
  const allowed = (settings[ALLOWED_MODELS_SETTING.key] as string[] | undefined) ?? [];
  const isPrivateAllowed = settings[PRIVATE_NETWORK_SETTING.key] === true;
  const alias = snapshot.aliases.get(model) ?? null;
  const byName = (name: string) => enabled.find((p) => p.name === name);
  const byId = (id: string) => enabled.find((p) => p.id === id);

  let picks: Array<{ provider: AnyProvider; model: string }>;
  let timeoutMs: number | null = null;
  if (alias) {
    picks = alias.targets.map((t) => ({ provider: byId(t.providerId), model: t.model })).filter((p): p is { provider: AnyProvider; model: string } => p.provider !== undefined);
    timeoutMs = alias.timeout_ms;
    if (picks.length === 0) throw llmErrors.create('MODEL_NOT_FOUND', `The alias "${model}" has no enabled provider left`);
  } else {
    const slash = model.indexOf('/');
    const provider = slash > 0 ? byName(model.slice(0, slash)) : undefined;
    if (provider) picks = [{ provider, model: model.slice(slash + 1) }];
    else if (enabled.length === 1) picks = [{ provider: enabled[0], model }];
    else if (enabled.length === 0) throw llmErrors.create('MODEL_NOT_FOUND', 'This workspace has no model provider yet: add one (console: Providers, or POST /api/v1/llm/providers)');
    else throw llmErrors.create('MODEL_NOT_FOUND', `No alias "${model}" and no provider named "${slash > 0 ? model.slice(0, slash) : model}": name a model as an alias or as provider/model (providers: ${enabled.map((p) => p.name).join(', ')})`);
  }
  const refused = picks.find((p) => !isModelAllowed(allowed, p.provider.name, p.model));
  if (refused) throw llmErrors.create('MODEL_NOT_ALLOWED', `${refused.provider.name}/${refused.model} is not on this workspace's allow-list (setting ${ALLOWED_MODELS_SETTING.key})`);

  const targets: Target[] = picks.map((p) => {
    const key = snapshot.keys.get(p.provider.id) ?? null;
    if (key instanceof AppError) throw key;
    return {
      providerId: p.provider.id, providerName: p.provider.name, owner: p.provider.owner, kind: p.provider.kind, baseUrl: p.provider.base_url,
      apiKey: key, timeoutMs: timeoutMs ?? p.provider.timeout_ms,
      // An operator's provider is the operator's choice of address; a workspace's own follows its setting.
      isPrivateAllowed: p.provider.owner === 'platform' ? true : isPrivateAllowed,
      model: p.model,
    };
  });
  return { targets, isAlias: alias !== null };
}
