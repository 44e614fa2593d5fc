// The peer of the gateway bench: a bare pass-through proxy to the same upstream — node:http in,
// undici out (pooled keep-alive, as the gateway), the body and the answer (JSON or SSE) piped
// as they are. No authentication, no routing, no quota, no metering. argv: port upstreamUrl key
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const [port, upstream, key] = process.argv.slice(2);
const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    const up = await request(`${upstream}${req.url!.replace(/^\/v1/, '')}`, {
      method: 'POST', dispatcher, body: Buffer.concat(chunks),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    });
    res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  } catch {
    res.writeHead(502).end();
  }
});
server.listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
