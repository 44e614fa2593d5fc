// POST /mcp: the workspace's tools as a Model Context Protocol server over Streamable HTTP
// (the official TypeScript SDK), so that external agents (Claude, IDEs) can use them with an API
// key. Stateless: each request gets a server and a transport of its own (nothing held between
// requests, any API process can answer), JSON responses. `tools/list` shows the tools the caller
// may use; `tools/call` goes through the registry's `invoke` as the caller (same `can()`, schemas,
// timeout, rate limit, metrics as an agent's call). Tool names use `__` for the registry's dots
// (`memory.remember` → `memory__remember`), as the gateway does: clients pass them to model APIs
// that refuse dots.
import { Type } from '@fastify/type-provider-typebox';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { can } from '../access/index.ts';
import type { McpContext } from './mcp.context.ts';
import { mcpErrors } from './mcp.errors.ts';

const wireName = (name: string) => name.replace(/\./g, '__');

// One JSON-RPC 2.0 message (MCP dropped batches in 2025-06-18): anything else is refused at the
// edge (a problem, like every other route), before the SDK sees it.
const Message = Type.Object({
  jsonrpc: Type.Literal('2.0'),
  id: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })])),
  method: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  result: Type.Optional(Type.Unknown()),
  error: Type.Optional(Type.Unknown()),
});
const Body = Type.Object(Message.properties, { description: 'A JSON-RPC 2.0 message of the Model Context Protocol', additionalProperties: false });

export function serverFor(ctx: McpContext, principal: Principal): Server {
  const server = new Server({ name: 'atrium', version: ctx.version }, {
    capabilities: { tools: {} },
    instructions: 'The tools of one Atrium workspace, run with the permissions of the API key (or user) that calls them.',
  });
  const ws = principal.workspaceId;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: ctx.tools.list().filter((t) => can(principal, t.permission) && !t.name.startsWith('test.')).map((t) => ({
      name: wireName(t.name), title: t.name, description: t.description,
      inputSchema: t.inputSchema as { type: 'object' }, outputSchema: t.outputSchema as { type: 'object' },
      annotations: { readOnlyHint: !t.isMutating, destructiveHint: t.isMutating, idempotentHint: t.isIdempotent, openWorldHint: false },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const name = ctx.tools.list().find((t) => wireName(t.name) === request.params.name)?.name ?? request.params.name;
    const outcome = await ctx.tools.invoke(name, request.params.arguments ?? {}, { db: ctx.db, principal, workspaceId: ws, agentId: null, runId: null, signal: extra.signal });
    if (!outcome.ok) return { isError: true, content: [{ type: 'text', text: `${outcome.error.code}: ${outcome.error.message}` }] };
    const structured = outcome.output !== null && typeof outcome.output === 'object' && !Array.isArray(outcome.output) ? outcome.output as Record<string, unknown> : undefined;
    return { content: [{ type: 'text', text: JSON.stringify(outcome.output) }], ...(structured ? { structuredContent: structured } : {}) };
  });
  return server;
}

export function mcpRoutes(ctx: McpContext): RoutePlugin {
  return async (app) => {
    app.post('/mcp', {
      config: { permission: 'agent.read' },
      schema: {
        tags: ['mcp'],
        summary: 'Model Context Protocol (Streamable HTTP, stateless, JSON responses): the workspace\'s tools for external agents',
        description: 'Point an MCP client at `<server>/api/v1/mcp` with `Authorization: Bearer <API key>`. `tools/list` shows the tools the key may use; `tools/call` runs one as the key (its permissions, the tool\'s schemas, timeout and rate limit). JSON-RPC errors come back as JSON-RPC.',
        body: Body,
        response: { 200: Type.Unknown({ description: 'The JSON-RPC response(s)' }), 202: Type.Null({ description: 'Notifications and responses only: accepted' }), 400: ProblemSchema },
      },
    }, async (request, reply) => {
      // The SDK reports a malformed tools/call as an internal error (-32603): it is the caller's (-32602).
      const m = request.body;
      if (m.method === 'tools/call' && m.id !== undefined && (typeof m.params?.name !== 'string' || (m.params.arguments !== undefined && (typeof m.params.arguments !== 'object' || m.params.arguments === null || Array.isArray(m.params.arguments))))) {
        return reply.code(200).send({ jsonrpc: '2.0', id: m.id, error: { code: -32602, message: 'tools/call needs params.name (a string) and, optionally, params.arguments (an object)' } });
      }
      const server = serverFor(ctx, request.principal!);
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      try {
        const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
        const protocol = request.headers['mcp-protocol-version'];
        if (typeof protocol === 'string') headers.set('mcp-protocol-version', protocol);
        const answer = await transport.handleRequest(new Request('http://atrium.local/mcp', { method: 'POST', headers, body: JSON.stringify(request.body) }), { parsedBody: request.body });
        const text = await answer.text();
        if (answer.status >= 400) {
          const detail = (JSON.parse(text || '{}') as { error?: { message?: string } }).error?.message;
          throw mcpErrors.create('MCP_MESSAGE_INVALID', detail ?? `The transport answered ${answer.status}`);
        }
        if (answer.status === 202 || !text) return reply.code(202).send(null);
        return reply.code(answer.status as 200).type('application/json').send(text);
      } finally {
        await server.close();
      }
    });
  };
}
