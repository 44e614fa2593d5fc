// What a CLI command needs to reach the database and the modules: loaded by runtime.ts only when
// a command runs (importing this file loads the whole platform).
import type { Config } from '../kernel/config.ts';
import type { Database } from '../kernel/db/database.ts';
import { createLogger } from '../kernel/logging.ts';
import { connectDatabase, runMigrations } from '../main.ts';
import { startEmbeddedPostgres } from '../kernel/db/embedded.ts';
import { pino } from 'pino';
import { composeModules } from '../compose.ts';
import type { Modules } from '../compose.ts';

/**
 * Every module on the configured database, for one command: the same graph as the server
 * (compose.ts), without HTTP or workers. Logs (warn and above) go to stderr.
 */
export async function withModules<T>(config: Config, fn: (modules: Modules, db: Database) => Promise<T>): Promise<T> {
  return withDatabase(config, async (db) => {
    const log = pino({ level: 'warn', base: { service: 'atrium-cli' } }, pino.destination(2));
    const modules = composeModules({ config, db, log });
    try {
      return await fn(modules, db);
    } finally {
      await modules.jobs.stop();
    }
  });
}

/** Open the configured database (starting the embedded one if needed), run fn, close. */
export async function withDatabase<T>(config: Config, fn: (db: Awaited<ReturnType<typeof connectDatabase>>) => Promise<T>): Promise<T> {
  const log = createLogger('warn');
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
    url = embedded.url;
  }
  const db = await connectDatabase(config, log, url);
  try {
    await runMigrations(config, db);
    return await fn(db);
  } finally {
    await db.close();
    if (embedded) await embedded.stop();
  }
}
