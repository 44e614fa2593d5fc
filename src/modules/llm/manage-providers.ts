// A workspace's provider connections: create, change, delete (refused while an alias points at
// it), test (list the provider's models) — each change audited. The key stays in the vault; a
// provider names the secret. Base URLs are checked against the outbound address guard with the
// workspace's setting (a LAN Ollama needs network.allow_private_addresses).
import type { Tx } from '../../kernel/db/database.ts';
import { performance } from 'node:perf_hooks';
import { checkUrlTarget, PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import type { AuditContext } from '../audit/index.ts';
import type { LlmContext } from './llm.context.ts';
import { llmErrors } from './llm.errors.ts';
import { ADAPTERS, DEFAULT_BASE_URL } from './providers/adapters.ts';
import type { ProviderKind, Target } from './providers/provider.types.ts';
import type { ProviderRow, PlatformProviderRow } from './providers.store.ts';
import { aliasesUsing, deleteProvider, insertProvider, isProviderNameTaken, selectPlatformProviders, selectProvider, selectProviders, updateProvider } from './providers.store.ts';
import type { ProviderView } from './provider-view.ts';
import { viewOfProvider } from './provider-view.ts';
import { gatewayErrorOf } from './gateway.service.ts';
import { AppError } from '../../kernel/errors.ts';
import { keyOf } from './workspace-snapshot.ts';

export type ProviderInput = { name: string; kind: ProviderKind; baseUrl?: string | null; secretName?: string | null; timeoutMs?: number; isEnabled?: boolean };

type FieldError = { path: string; message: string };
const invalid = (errors: FieldError[]) => llmErrors.create('PROVIDER_INVALID', errors.map((e) => `${e.path} ${e.message}`).join('; '), { extra: { errors } });

async function isPrivateAllowed(ctx: LlmContext, tx: Tx, workspaceId: string): Promise<boolean> {
  const workspace = await ctx.tenancy.getWorkspace(tx, workspaceId);
  return workspace?.settings[PRIVATE_NETWORK_SETTING.key] === true;
}

/** The base URL a provider will call, checked (scheme, credentials, private addresses); errors name the field. */
export function checkedBaseUrl(kind: ProviderKind, baseUrl: string | null | undefined, allowPrivate: boolean): string {
  const url = baseUrl ?? DEFAULT_BASE_URL[kind];
  if (!url) throw invalid([{ path: 'body.baseUrl', message: 'is required for an OpenAI-compatible provider (e.g. http://localhost:11434/v1 for Ollama)' }]);
  const refusal = checkUrlTarget(url, { allowPrivate });
  if (refusal) throw invalid([{ path: 'body.baseUrl', message: `${refusal}${allowPrivate ? '' : ` (a workspace admin can allow private addresses with the setting ${PRIVATE_NETWORK_SETTING.key})`}` }]);
  return url.replace(/\/+$/, '');
}

async function checkSecret(ctx: LlmContext, tx: Tx, workspaceId: string, name: string | null): Promise<void> {
  if (name === null) return;
  await ctx.secrets.resolve(tx, workspaceId, name).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'SECRET_NOT_FOUND') throw invalid([{ path: 'body.secretName', message: `names no secret of this workspace's vault (create it first: PUT /api/v1/secrets/${name})` }]);
    throw err;
  });
}

export async function listProviders(tx: Tx, workspaceId: string): Promise<ProviderView[]> {
  const [own, platform] = await Promise.all([selectProviders(tx, workspaceId), selectPlatformProviders(tx)]);
  return [...own, ...platform.filter((p) => p.is_enabled)].map(viewOfProvider);
}

export async function getProvider(tx: Tx, workspaceId: string, id: string): Promise<ProviderRow> {
  const row = await selectProvider(tx, workspaceId, id);
  if (!row) throw llmErrors.create('PROVIDER_NOT_FOUND');
  return row;
}

export async function createProvider(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, input: ProviderInput): Promise<ProviderView> {
  const baseUrl = checkedBaseUrl(input.kind, input.baseUrl, await isPrivateAllowed(ctx, tx, workspaceId));
  const secretName = input.secretName ?? null;
  await checkSecret(ctx, tx, workspaceId, secretName);
  const row = await insertProvider(tx, workspaceId, { name: input.name, kind: input.kind, baseUrl, secretName, timeoutMs: input.timeoutMs ?? 60_000, isEnabled: input.isEnabled ?? true }, context.actor.id ?? null);
  if (!row) throw llmErrors.create('PROVIDER_NAME_TAKEN', `A provider named "${input.name}" already exists in this workspace`);
  const view = viewOfProvider(row);
  await ctx.audit.record(tx, context, { workspaceId, action: 'llm_provider.created', targetType: 'llm_provider', targetId: row.id, diff: { after: { name: view.name, kind: view.kind, baseUrl: view.baseUrl, secretName: view.secretName } } });
  return view;
}

export async function changeProvider(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, id: string, patch: Partial<ProviderInput>): Promise<ProviderView> {
  const current = await getProvider(tx, workspaceId, id);
  const kind = patch.kind ?? current.kind;
  const baseUrl = patch.baseUrl !== undefined || patch.kind !== undefined
    ? checkedBaseUrl(kind, patch.baseUrl === undefined ? current.base_url : patch.baseUrl, await isPrivateAllowed(ctx, tx, workspaceId))
    : current.base_url;
  const secretName = patch.secretName === undefined ? current.secret_name : patch.secretName;
  if (patch.secretName !== undefined) await checkSecret(ctx, tx, workspaceId, secretName);
  const name = patch.name ?? current.name;
  if (name !== current.name && await isProviderNameTaken(tx, workspaceId, name, id)) throw llmErrors.create('PROVIDER_NAME_TAKEN', `A provider named "${name}" already exists in this workspace`);
  const row = await updateProvider(tx, workspaceId, id, { name, kind, baseUrl, secretName, timeoutMs: patch.timeoutMs ?? current.timeout_ms, isEnabled: patch.isEnabled ?? current.is_enabled });
  if (!row) throw llmErrors.create('PROVIDER_NOT_FOUND');
  const before = viewOfProvider(current);
  const after = viewOfProvider(row);
  const changed = (['name', 'kind', 'baseUrl', 'secretName', 'timeoutMs', 'isEnabled'] as const).filter((k) => before[k] !== after[k]);
  if (changed.length) {
    await ctx.audit.record(tx, context, {
      workspaceId, action: 'llm_provider.updated', targetType: 'llm_provider', targetId: id,
      diff: { before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])) },
    });
  }
  return after;
}

export async function removeProvider(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, id: string): Promise<void> {
  const current = await getProvider(tx, workspaceId, id);
  const aliases = await aliasesUsing(tx, workspaceId, id);
  if (aliases.length) throw llmErrors.create('PROVIDER_IN_USE', `Aliases ${aliases.join(', ')} point at "${current.name}": change or delete them first`);
  await deleteProvider(tx, workspaceId, id);
  await ctx.audit.record(tx, context, { workspaceId, action: 'llm_provider.deleted', targetType: 'llm_provider', targetId: id, diff: { before: { name: current.name, kind: current.kind } } });
}

/** A target to talk to a provider outside a model call (test, list models). */
export async function targetOf(ctx: LlmContext, tx: Tx, workspaceId: string, p: ProviderRow | PlatformProviderRow): Promise<Target> {
  const apiKey = await keyOf(ctx, tx, workspaceId, p);
  if (apiKey instanceof AppError) throw apiKey;
  return {
    providerId: p.id, providerName: p.name, owner: p.owner, kind: p.kind, baseUrl: p.base_url, apiKey, timeoutMs: Math.min(p.timeout_ms, 15_000),
    isPrivateAllowed: p.owner === 'platform' ? true : await isPrivateAllowed(ctx, tx, workspaceId), model: '',
  };
}

export type ProviderTest = { isOk: boolean; latencyMs: number; modelCount: number | null; error: { code: string; message: string } | null };

/** Reach the provider with its key (list its models): the answer says whether it works and why not. */
export async function testTarget(target: Target): Promise<ProviderTest> {
  const t0 = performance.now();
  try {
    const models = await ADAPTERS[target.kind].listModels(target);
    return { isOk: true, latencyMs: Math.round(performance.now() - t0), modelCount: models.length, error: null };
  } catch (err) {
    const e = gatewayErrorOf(err, null);
    return { isOk: false, latencyMs: Math.round(performance.now() - t0), modelCount: null, error: { code: e.code, message: e.detail ?? e.title } };
  }
}

export async function listTargetModels(target: Target): Promise<string[]> {
  try {
    return await ADAPTERS[target.kind].listModels(target);
  } catch (err) {
    throw gatewayErrorOf(err, null);
  }
}
