// /mcp/servers: the workspace's external MCP servers (tool sources for its agents). Reading them
// needs agent.read (no credential is ever shown: a server names its vault secret); changing them
// needs mcp_server.manage; calling their tools, mcp_tool.call (checked by the tool registry).
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import { SecretName } from '../secrets/index.ts';
import { auditContextOf } from '../audit/index.ts';
import type { McpServersContext } from './mcp.context.ts';
import { addServer, changeServer, getServer, listServers, refreshServer, removeServer } from './manage-servers.ts';

const tags = ['mcp'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const ServerName = Type.String({ minLength: 1, maxLength: 24, pattern: '^[a-z][a-z0-9_]*$', description: 'Lower case, digits and _; its tools are named mcp.<name>.<tool>' });
const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'The Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp' });
const AuthHeader = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$', description: '`authorization` (default) sends `Bearer <secret>`; any other header (x-api-key) sends the secret as its value' });
const TimeoutMs = Type.Integer({ minimum: 1_000, maximum: 120_000, description: 'Per connection and call, in ms (default 30,000)' });

const CreateBody = Type.Object({
  name: ServerName, url: Url,
  secretName: Type.Optional(Type.Union([SecretName, Type.Null()], { description: 'The vault secret holding the credential (none: the server needs no authentication)' })),
  authHeader: Type.Optional(AuthHeader), timeoutMs: Type.Optional(TimeoutMs), isEnabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
const UpdateBody = Type.Partial(CreateBody, { additionalProperties: false, minProperties: 1 });

const ServerSchema = Type.Object({
  id: Type.String({ format: 'uuid' }), name: Type.String(), url: Type.String(), secretName: Type.Union([Type.String(), Type.Null()]), authHeader: Type.String(),
  timeoutMs: Type.Integer(), isEnabled: Type.Boolean(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('connected'), Type.Literal('failed')], { description: 'What the last refresh found' }),
  lastError: Type.Union([Type.String(), Type.Null()]), checkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  tools: Type.Array(Type.Object({
    name: Type.String({ description: 'The registry name an agent lists (mcp.<server>.<tool>)' }), originalName: Type.String({ description: 'The name the server gave it' }),
    description: Type.String(), isMutating: Type.Boolean({ description: 'Not declared read-only by the server: the assistant asks before calling it' }),
  })),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
});

export function mcpServersRoutes(ctx: McpServersContext): RoutePlugin {
  return async (app) => {
    app.get('/mcp/servers', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'The workspace\'s external MCP servers, their status and the tools they announced', response: { 200: Type.Object({ data: Type.Array(ServerSchema) }) } },
    }, async (request) => ({ data: await listServers(ctx, request.principal!.workspaceId) }));

    app.post('/mcp/servers', {
      config: { permission: 'mcp_server.manage' },
      schema: {
        tags, summary: 'Add an external MCP server (Streamable HTTP): it is reached at once and its tools listed',
        description: 'Answers 201 even when the server cannot be reached: `status` is then `failed` and `lastError` says why (fix it, then refresh). Private addresses need the workspace setting network.allow_private_addresses.',
        body: CreateBody, response: { 201: ServerSchema, 409: ProblemSchema, 422: ProblemSchema },
      },
    }, async (request, reply) => reply.code(201).send(await addServer(ctx, auditContextOf(request), request.principal!.workspaceId, request.body)));

    app.get('/mcp/servers/:id', {
      config: { permission: 'agent.read' },
      schema: { tags, summary: 'One external MCP server', params: IdParams, response: { 200: ServerSchema, 404: ProblemSchema } },
    }, async (request) => getServer(ctx, request.principal!.workspaceId, request.params.id));

    app.patch('/mcp/servers/:id', {
      config: { permission: 'mcp_server.manage' },
      schema: { tags, summary: 'Change a server (name, URL, secret, header, timeout, enabled); a change of address or credential reconnects', params: IdParams, body: UpdateBody, response: { 200: ServerSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema } },
    }, async (request) => changeServer(ctx, auditContextOf(request), request.principal!.workspaceId, request.params.id, request.body));

    app.post('/mcp/servers/:id/refresh', {
      config: { permission: 'mcp_server.manage' },
      schema: { tags, summary: 'Reach the server again and list its tools (kept as they were if it cannot be reached)', params: IdParams, response: { 200: ServerSchema, 404: ProblemSchema } },
    }, async (request) => refreshServer(ctx, request.principal!.workspaceId, request.params.id));

    app.delete('/mcp/servers/:id', {
      config: { permission: 'mcp_server.manage' },
      schema: { tags, summary: 'Remove a server: its tools leave the agents that listed them', params: IdParams, response: { 204: Type.Null({ description: 'No content' }), 404: ProblemSchema } },
    }, async (request, reply) => {
      await removeServer(ctx, auditContextOf(request), request.principal!.workspaceId, request.params.id);
      return reply.code(204).send(null);
    });
  };
}
