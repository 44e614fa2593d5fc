// The mcp module's door: the workspace's tools served over the Model Context Protocol
// (Streamable HTTP, the official SDK), and external MCP servers added per workspace as tool
// sources of the agents' registry (tools mcp.<server>.<tool>, credentials in the vault).
// Owns mcp_servers.
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import { sharedForget } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AgentsModule } from '../agents/index.ts';
import type { AuditModule } from '../audit/index.ts';
import { createExternalToolSource } from './external-tools.ts';
import { mcpRoutes } from './mcp.routes.ts';
import { mcpServersRoutes } from './servers.routes.ts';

export function createMcpModule(
  deps: KernelDeps,
  modules: {
    agents: Pick<AgentsModule, 'tools'>;
    audit: Pick<AuditModule, 'record'>;
    resolveSecret(tx: Tx, workspaceId: string, name: string): Promise<string>;
    isPrivateAllowed(tx: Tx, workspaceId: string): Promise<boolean>;
  },
  options: { version: string },
) {
  const external = createExternalToolSource({ db: deps.db, log: deps.log, audit: modules.audit, resolveSecret: modules.resolveSecret, isPrivateAllowed: modules.isPrivateAllowed });
  // A server added, changed or removed on one process: every process lists the workspace's tools again.
  external.ctx.invalidate = sharedForget(deps, 'mcp.servers', external.ctx.invalidate);
  modules.agents.tools.addSource(external.source);
  return {
    routes: (async (app) => {
      await app.register(mcpRoutes({ db: deps.db, tools: modules.agents.tools, version: options.version }));
      await app.register(mcpServersRoutes(external.ctx));
    }) satisfies RoutePlugin,
  };
}

export type McpModule = ReturnType<typeof createMcpModule>;
