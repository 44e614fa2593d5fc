// An external MCP server for tests (the official SDK's, Streamable HTTP, stateless, on a local
// port) that demands a bearer token and records the calls it gets.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export type ExternalCall = { tool: string; args: unknown; authorization: string | undefined };

/** A small MCP server: echo (read-only), Create-Contact (changes things), fail (answers an error). */
export async function startExternalMcpServer(token: string, calls: ExternalCall[] = []): Promise<{ server: http.Server; url: string; calls: ExternalCall[] }> {
  const server = http.createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
    const mcp = new Server({ name: 'crm', version: '1.0.0' }, { capabilities: { tools: {} } });
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        { name: 'echo', description: 'Repeat a text', inputSchema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } }, annotations: { readOnlyHint: true, idempotentHint: true } },
        { name: 'Create-Contact', description: 'Add a contact to the CRM', inputSchema: { type: 'object', properties: { name: { type: 'string' } } } },
        { name: 'fail', description: 'Always fails', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
      ],
    }));
    mcp.setRequestHandler(CallToolRequestSchema, async (request) => {
      calls.push({ tool: request.params.name, args: request.params.arguments, authorization: req.headers.authorization });
      if (request.params.name === 'fail') return { isError: true, content: [{ type: 'text', text: 'boom: the CRM is read-only today' }] };
      if (request.params.name === 'echo') return { content: [{ type: 'text', text: 'echoed' }], structuredContent: { echo: (request.params.arguments as { text: string }).text } };
      return { content: [{ type: 'text', text: `created ${JSON.stringify(request.params.arguments)}` }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await mcp.connect(transport);
    res.on('close', () => void mcp.close());
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, calls };
}
