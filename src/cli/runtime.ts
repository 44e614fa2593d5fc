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
