// The light door to the platform for CLI commands: the same functions as platform-runtime.ts,
// which is imported on first use — so `atrium --help`, `atrium init` and the commands that talk
// HTTP never load the platform (issue 14: local commands answer in ≤ 300 ms).
import type { Config } from '../kernel/config.ts';
import type { Database } from '../kernel/db/database.ts';
import type { Modules } from '../compose.ts';

/** Every module on the configured database, for one command (compose.ts's graph, no HTTP or workers). */
export async function withModules<T>(config: Config, fn: (modules: Modules, db: Database) => Promise<T>): Promise<T> {
  return (await import('./platform-runtime.ts')).withModules(config, fn);
}

/** Open the configured database (starting the embedded one if needed), migrate, run fn, close. */
export async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  return (await import('./platform-runtime.ts')).withDatabase(config, fn);
}

/**
 * The platform path without loading the platform: pools and the transaction helpers only, no
 * migrations (a read of the installation as it is), on DATABASE_URL or the embedded server a
 * running `atrium start` owns. When the embedded server is not running, the full path (starting it
 * dwarfs any import).
 */
export async function withPlatformReads<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  let url = config.databaseUrl;
  if (!url) {
    // The embedded server of a running `atrium start` is used as is; else the full path starts it.
    const { startEmbeddedPostgres } = await import('../kernel/db/embedded.ts');
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
    if (!embedded.shared) {
      await embedded.stop();
      return withDatabase(config, fn);
    }
    url = embedded.url;
  }
  const { openDatabase } = await import('../kernel/db/connect.ts');
  const log = { warn: () => {}, error: () => {}, info: () => {}, debug: () => {} } as unknown as Parameters<typeof openDatabase>[2];
  const db = openDatabase(config, url, log, { app: 1, owner: 1 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
