// The operator's providers (platform admins): any workspace may call them, metered to it like
// its own. The key is write-only, sealed under a key derived from the root secret and bound to
// the provider's id.
import type { Tx } from '../../kernel/db/database.ts';
import { encrypt } from '../../kernel/crypto.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { LlmContext } from './llm.context.ts';
import { llmErrors } from './llm.errors.ts';
import type { ProviderKind } from './providers/provider.types.ts';
import { deletePlatformProvider, insertPlatformProvider, selectPlatformProvider, updatePlatformProvider } from './providers.store.ts';
import type { ProviderView } from './provider-view.ts';
import { viewOfProvider } from './provider-view.ts';
import { checkedBaseUrl } from './manage-providers.ts';

export type PlatformProviderInput = { name: string; kind: ProviderKind; baseUrl?: string | null; apiKey?: string | null; timeoutMs?: number; isEnabled?: boolean };

const seal = (ctx: LlmContext, id: string, key: string | null | undefined) => (key ? encrypt(ctx.platformKey, key, `llm-platform-provider:${id}`) : null);

export async function createPlatformProvider(ctx: LlmContext, tx: Tx, actorId: string | null, input: PlatformProviderInput): Promise<ProviderView> {
  const id = uuidv7();
  const baseUrl = checkedBaseUrl(input.kind, input.baseUrl, true);
  const row = await insertPlatformProvider(tx, id, { name: input.name, kind: input.kind, baseUrl, keySealed: seal(ctx, id, input.apiKey), timeoutMs: input.timeoutMs ?? 60_000, isEnabled: input.isEnabled ?? true }, actorId);
  if (!row) throw llmErrors.create('PROVIDER_NAME_TAKEN', `An operator provider named "${input.name}" already exists`);
  ctx.log.info({ audit: true, action: 'llm_platform_provider.created', actorUserId: actorId, providerId: id, name: input.name }, 'platform admin: operator provider created');
  return viewOfProvider(row);
}

export async function changePlatformProvider(ctx: LlmContext, tx: Tx, actorId: string | null, id: string, patch: Partial<PlatformProviderInput>): Promise<ProviderView> {
  const current = await selectPlatformProvider(tx, id);
  if (!current) throw llmErrors.create('PROVIDER_NOT_FOUND');
  const kind = patch.kind ?? current.kind;
  const row = await updatePlatformProvider(tx, id, {
    name: patch.name ?? current.name, kind,
    baseUrl: patch.baseUrl !== undefined || patch.kind !== undefined ? checkedBaseUrl(kind, patch.baseUrl === undefined ? current.base_url : patch.baseUrl, true) : current.base_url,
    keySealed: patch.apiKey === undefined ? current.key_sealed : seal(ctx, id, patch.apiKey),
    timeoutMs: patch.timeoutMs ?? current.timeout_ms, isEnabled: patch.isEnabled ?? current.is_enabled,
  }).catch((err: unknown) => {
    if ((err as { code?: string }).code === '23505') throw llmErrors.create('PROVIDER_NAME_TAKEN', `An operator provider named "${patch.name}" already exists`);
    throw err;
  });
  if (!row) throw llmErrors.create('PROVIDER_NOT_FOUND');
  ctx.log.info({ audit: true, action: 'llm_platform_provider.updated', actorUserId: actorId, providerId: id, fields: Object.keys(patch).filter((k) => k !== 'apiKey').concat(patch.apiKey !== undefined ? ['apiKey'] : []) }, 'platform admin: operator provider updated');
  return viewOfProvider(row);
}

export async function removePlatformProvider(ctx: LlmContext, tx: Tx, actorId: string | null, id: string): Promise<void> {
  if (!(await deletePlatformProvider(tx, id))) throw llmErrors.create('PROVIDER_NOT_FOUND');
  ctx.log.info({ audit: true, action: 'llm_platform_provider.deleted', actorUserId: actorId, providerId: id }, 'platform admin: operator provider deleted');
}
