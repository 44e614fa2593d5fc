// The llm module's door: the AI gateway. Every model call of the platform goes through
// `complete` / `stream` / `embed` (agents, workflow steps, the vendor-compatible HTTP API):
// authorised by the caller's workspace, routed (aliases, fallbacks, allow-list, address guard),
// reserved against quotas and budgets before it is sent, metered after (usage events).
// Owns llm_providers, llm_platform_providers, llm_aliases, llm_prices, llm_workspace_prices.
import type { KernelDeps } from '../../kernel/module.ts';
import { sharedForget } from '../../kernel/module.ts';
import { deriveKey } from '../../kernel/crypto.ts';
import type { Registry } from 'prom-client';
import type { AuditModule } from '../audit/index.ts';
import type { SecretsModule } from '../secrets/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { UsageModule } from '../usage/index.ts';
import type { LlmContext } from './llm.context.ts';
import { createGatewayMetrics } from './gateway-metrics.ts';
import { createGateway } from './gateway.service.ts';
import { gatewayRoutes } from './api/gateway.routes.ts';
import { llmRoutes } from './llm.routes.ts';
import { createModelLister } from './list-models.ts';
import { createSnapshots } from './workspace-snapshot.ts';
import type { Snapshots } from './workspace-snapshot.ts';
import { resolveModel } from './resolve-model.ts';
import type { CallInput, ChatCompletion, ChatRequest, ChatStream, EmbeddingsRequest, EmbeddingsResponse, UsageRecord } from './llm.types.ts';

export type * from './llm.types.ts';
export { llmErrors } from './llm.errors.ts';
export { ALLOWED_MODELS_SETTING } from './resolve-model.ts';

export function createLlmModule(deps: KernelDeps, modules: { audit: AuditModule; secrets: SecretsModule; tenancy: TenancyModule; usage: UsageModule }) {
  const ctx: LlmContext = {
    ...deps, ...modules,
    platformKey: deriveKey(deps.config.secret, 'atrium:llm-platform-provider-key:v1'),
    metrics: createGatewayMetrics(),
    snapshots: undefined as unknown as Snapshots,
  };
  ctx.snapshots = createSnapshots(ctx);
  // Settings, providers or prices changed on one process: every process reads the workspace again.
  ctx.snapshots.invalidate = sharedForget(deps, 'llm.snapshots', ctx.snapshots.invalidate);
  const gateway = createGateway(ctx);
  return {
    routes: llmRoutes(ctx),
    /** The OpenAI- and Anthropic-compatible API, registered at the root (`/v1/...`). */
    gatewayRoutes: gatewayRoutes(gateway, createModelLister(ctx)),
    /** One chat completion. Throws QUOTA_EXCEEDED (429), MODEL_NOT_FOUND, PROVIDER_* errors. */
    complete(input: CallInput<ChatRequest>): Promise<{ response: ChatCompletion; usage: UsageRecord }> {
      return gateway.complete(input);
    },
    /** A streamed chat completion; iterate it, then await `usage`. Call `abort()` to stop the provider (metered for what it produced). */
    stream(input: CallInput<ChatRequest>): Promise<ChatStream> {
      return gateway.stream(input);
    },
    embed(input: CallInput<EmbeddingsRequest>): Promise<{ response: EmbeddingsResponse; usage: UsageRecord }> {
      return gateway.embed(input);
    },
    /** Forget this process's snapshot of the workspace (its settings changed: the allow-list, private addresses). */
    settingsChanged(workspaceId: string): void {
      ctx.snapshots.invalidate(workspaceId);
    },
    /** Throws MODEL_NOT_FOUND (404) or MODEL_NOT_ALLOWED (403) when the workspace could not call `model` (an alias or provider/model); from the cached snapshot, no provider call. */
    async checkModel(workspaceId: string, model: string): Promise<void> {
      resolveModel(await ctx.snapshots.get(workspaceId), model);
    },
    registerMetrics(registry: Registry): void {
      ctx.metrics.register(registry);
    },
  };
}

export type LlmModule = ReturnType<typeof createLlmModule>;
