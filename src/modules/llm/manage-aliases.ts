// Aliases: a workspace's names for models (`fast` → openai/gpt-4o-mini, then anthropic/…),
// tried in order on 429 / 5xx / timeout. Every target must name a provider the workspace can use.
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditContext } from '../audit/index.ts';
import type { LlmContext } from './llm.context.ts';
import { llmErrors } from './llm.errors.ts';
import type { AliasRow, AliasTarget } from './providers.store.ts';
import { deleteAlias, selectAlias, selectAliases, selectPlatformProviders, selectProviders, upsertAlias } from './providers.store.ts';

export type AliasView = { name: string; targets: Array<AliasTarget & { providerName: string | null }>; timeoutMs: number | null; updatedAt: string };

async function providerNames(tx: Tx, workspaceId: string): Promise<Map<string, string>> {
  const [own, platform] = await Promise.all([selectProviders(tx, workspaceId), selectPlatformProviders(tx)]);
  return new Map([...own, ...platform.filter((p) => p.is_enabled)].map((p) => [p.id, p.name]));
}

function viewOf(a: AliasRow, names: Map<string, string>): AliasView {
  return { name: a.name, targets: a.targets.map((t) => ({ ...t, providerName: names.get(t.providerId) ?? null })), timeoutMs: a.timeout_ms, updatedAt: a.updated_at.toISOString() };
}

export async function listAliases(tx: Tx, workspaceId: string): Promise<AliasView[]> {
  const [aliases, names] = await Promise.all([selectAliases(tx, workspaceId), providerNames(tx, workspaceId)]);
  return aliases.map((a) => viewOf(a, names));
}

export async function putAlias(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, name: string, input: { targets: AliasTarget[]; timeoutMs?: number | null }): Promise<{ alias: AliasView; isCreated: boolean }> {
  const names = await providerNames(tx, workspaceId);
  const errors = input.targets.flatMap((t, i) => (names.has(t.providerId.toLowerCase()) ? [] : [{ path: `body.targets.${i}.providerId`, message: 'names no provider this workspace can use' }]));
  if (errors.length) throw llmErrors.create('ALIAS_INVALID', errors.map((e) => `${e.path} ${e.message}`).join('; '), { extra: { errors } });
  const before = await selectAlias(tx, workspaceId, name);
  const targets = input.targets.map((t) => ({ providerId: t.providerId.toLowerCase(), model: t.model }));
  const { alias, isCreated } = await upsertAlias(tx, workspaceId, { name, targets, timeoutMs: input.timeoutMs ?? null });
  await ctx.audit.record(tx, context, {
    workspaceId, action: isCreated ? 'llm_alias.created' : 'llm_alias.updated', targetType: 'llm_alias', targetId: null,
    diff: { before: before ? { name, targets: before.targets, timeoutMs: before.timeout_ms } : null, after: { name, targets, timeoutMs: input.timeoutMs ?? null } },
  });
  return { alias: viewOf(alias, names), isCreated };
}

export async function removeAlias(ctx: LlmContext, tx: Tx, context: AuditContext, workspaceId: string, name: string): Promise<void> {
  const before = await selectAlias(tx, workspaceId, name);
  if (!before || !(await deleteAlias(tx, workspaceId, name))) throw llmErrors.create('ALIAS_NOT_FOUND');
  await ctx.audit.record(tx, context, { workspaceId, action: 'llm_alias.deleted', targetType: 'llm_alias', targetId: null, diff: { before: { name, targets: before.targets } } });
}
