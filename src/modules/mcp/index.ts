// The mcp module's door: the workspace's tools served over the Model Context Protocol
// (Streamable HTTP, the official SDK). Owns no table: the tools are the agents module's registry.
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { AgentsModule } from '../agents/index.ts';
import { mcpRoutes } from './mcp.routes.ts';

export function createMcpModule(deps: KernelDeps, modules: { agents: Pick<AgentsModule, 'tools'> }, options: { version: string }) {
  return {
    routes: mcpRoutes({ db: deps.db, tools: modules.agents.tools, version: options.version }) satisfies RoutePlugin,
  };
}

export type McpModule = ReturnType<typeof createMcpModule>;
