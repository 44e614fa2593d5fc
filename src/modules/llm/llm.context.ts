import type { Config } from '../../kernel/config.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { SecretsModule } from '../secrets/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { UsageModule } from '../usage/index.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { Snapshots } from './workspace-snapshot.ts';

/** What the gateway's use-cases need. */
export type LlmContext = {
  config: Config; db: Database; log: Logger;
  audit: AuditModule; secrets: SecretsModule; tenancy: TenancyModule; usage: UsageModule;
  /** Key that seals operator providers' API keys (derived from the root secret). */
  platformKey: Buffer;
  metrics: GatewayMetrics;
  /** Each workspace's routing data, kept a few seconds (workspace-snapshot.ts); set once the context exists. */
  snapshots: Snapshots;
};
