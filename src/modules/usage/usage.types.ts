// The usage ledger's contract: what a metered call reports, and what a quota check answers.
// The gateway (llm) is the only writer today; agents read it through the llm door's UsageRecord.

export type UsageScope = 'workspace' | 'agent' | 'api_key';

/** Whose budgets a call draws on: always the workspace; the API key and the agent when present. */
export type UsageSubjects = { workspaceId: string; apiKeyId?: string | null; agentId?: string | null; userId?: string | null };

/** Token counts of one call, as the provider reported them (or as estimated). */
export type TokenCounts = {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
};

export type UsageStatus = 'ok' | 'error' | 'client_closed' | 'refused';
/** `provider`: counts from the provider's answer. `estimated`: counted with the tokenizer. `none`: nothing was produced. */
export type UsageSource = 'provider' | 'estimated' | 'none';

/** One model call, as the ledger records it (one usage event). Costs are USD micro-units (1e-6 USD). */
export type UsageEventInput = TokenCounts & {
  subjects: UsageSubjects;
  requestId: string | null;
  providerId: string | null;
  providerName: string | null;
  operation: 'chat' | 'embeddings';
  apiFormat: 'openai' | 'anthropic' | 'internal';
  model: string;
  resolvedModel: string | null;
  /** null: no price applied (`unpriced`), never read as free. */
  costMicros: number | null;
  usageSource: UsageSource;
  status: UsageStatus;
  errorCode: string | null;
  httpStatus: number | null;
  isStreamed: boolean;
  providerLatencyMs: number | null;
  overheadMs: number | null;
  attempts: number;
};

/** A monthly limit: tokens and cost (USD micro-units); null means no limit on that measure. */
export type Limits = { tokens: number | null; costMicros: number | null };

/** Room held on the counters for one in-flight call, settled or released after it. */
export type Reservation = {
  id: string | null;
  workspaceId: string;
  period: string;
  subjects: Array<{ scope: UsageScope; subjectId: string; limits: Limits }>;
  tokens: number;
  costMicros: number;
};
