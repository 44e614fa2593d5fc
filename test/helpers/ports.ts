// A free port for a server a test (or the image test) starts a moment later.
import { createServer } from 'node:net';

function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}

/**
 * A port free now, to listen on a few seconds later (once the platform is built). Taken outside
 * the kernel's ephemeral range (32768–60999): a port from `listen(0)` could be handed to another
 * test's server (or an outgoing connection) meanwhile (seen once in CI as EADDRINUSE); this range only other explicit picks use.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tryPort(21_000 + Math.floor(Math.random() * 9_000));
    if (port) return port;
  }
  const fallback = await tryPort(0);
  if (!fallback) throw new Error('no free port');
  return fallback;
}
