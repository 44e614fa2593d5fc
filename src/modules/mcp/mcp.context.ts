import type { Database } from '../../kernel/db/database.ts';
import type { AgentsModule } from '../agents/index.ts';

/** What the MCP server needs: the tool registry (the agents module's door) and the database its tools use. */
export type McpContext = { db: Database; tools: Pick<AgentsModule['tools'], 'list' | 'invoke'>; version: string };
