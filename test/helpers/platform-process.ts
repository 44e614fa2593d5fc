// The real platform as its own process (its own pools) on an existing test database, for tests
// that need several API processes on one database. argv: ownerUrl [config overrides as JSON].
// Sends `{ url }` over IPC once listening on a free port of 127.0.0.1; SIGTERM stops it.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import { testConfig } from './platform.ts';

export type PlatformProcess = { url: string; stop: () => Promise<void> };

/** Start one platform process on `ownerUrl` (a database from createTestDatabase()). */
export function startPlatformProcess(ownerUrl: string, overrides: Record<string, string> = {}): Promise<PlatformProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(import.meta.filename, [ownerUrl, JSON.stringify(overrides)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const onExit = (code: number | null) => reject(new Error(`platform process exited with ${code} before listening`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      const { url } = message as { url: string };
      resolve({
        url,
        async stop() {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

async function main(): Promise<void> {
  const [ownerUrl, overrides] = process.argv.slice(2);
  const config = testConfig({ DATABASE_URL: ownerUrl, ...(JSON.parse(overrides ?? '{}') as Record<string, string>) });
  const log = createLogger(config.logLevel);
  const db = await connectDatabase(config, log, ownerUrl);
  const platform = await buildPlatform(config, db, log, { serveConsole: false });
  const address = await platform.app.listen({ port: 0, host: '127.0.0.1' });
  const stop = async () => {
    await platform.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  // The test runner died: don't outlive it.
  process.on('disconnect', () => void stop());
  process.send?.({ url: address });
}

if (process.argv[1] === import.meta.filename && process.send) await main();
