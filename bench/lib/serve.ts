// What every bare peer server ends with: listen on loopback, tell the bench it is up (IPC), and
// on SIGTERM close the server, then its pool, then exit.
type Closable = { close(): Promise<unknown> };
type Endable = { end(): Promise<unknown> };

export async function serveUntilStopped(app: Closable & { listen(options: { port: number; host: string }): Promise<unknown> }, port: string | number, pool: Endable): Promise<void> {
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.send?.('ready');
  process.on('SIGTERM', async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  });
}
