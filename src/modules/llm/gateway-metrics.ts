// The gateway's Prometheus metrics: provider latency, the gateway's own overhead, calls by
// outcome, tokens. Created unregistered; main.ts registers them on the app's registry.
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export function createGatewayMetrics() {
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  const providerLatency = new Histogram({ name: 'atrium_llm_provider_latency_seconds', help: 'Time spent waiting for model providers, per provider kind and outcome', labelNames: ['provider_kind', 'operation', 'outcome'], buckets, registers: [] });
  const overhead = new Histogram({ name: 'atrium_llm_gateway_overhead_seconds', help: 'Time the gateway adds to a model call (routing, quota reservation, metering)', labelNames: ['operation'], buckets, registers: [] });
  const calls = new Counter({ name: 'atrium_llm_calls_total', help: 'Model calls through the gateway, by outcome', labelNames: ['operation', 'status'], registers: [] });
  const tokens = new Counter({ name: 'atrium_llm_tokens_total', help: 'Tokens metered by the gateway', labelNames: ['direction'], registers: [] });
  return {
    providerLatency, overhead, calls, tokens,
    register(registry: Registry): void {
      registry.registerMetric(providerLatency);
      registry.registerMetric(overhead);
      registry.registerMetric(calls);
      registry.registerMetric(tokens);
    },
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
