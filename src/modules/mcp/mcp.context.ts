import type { Database, Tx } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AgentsModule } from '../agents/index.ts';
import type { AuditModule } from '../audit/index.ts';

/** What the MCP server needs: the tool registry (the agents module's door) and the database its tools use. */
export type McpContext = { db: Database; tools: Pick<AgentsModule['tools'], 'list' | 'invoke'>; version: string };

/** What the external servers (tool sources) need besides: the vault, the workspace's network setting, the audit trail. */
export type McpServersContext = {
  db: Database;
  log: Logger;
  audit: Pick<AuditModule, 'record'>;
  /** A secret's value (the vault's door), in the caller's workspace transaction. */
  resolveSecret(tx: Tx, workspaceId: string, name: string): Promise<string>;
  /** Does the workspace let outbound calls reach private addresses (network.allow_private_addresses)? */
  isPrivateAllowed(tx: Tx, workspaceId: string): Promise<boolean>;
  /** Forget a workspace's external tools, every process's copy (every workspace's without an id). */
  invalidate(workspaceId?: string): void;
};
