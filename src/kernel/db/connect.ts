// The two pools of a configuration (the request role and the owner) as one Database: what
// `atrium start`, the CLI's commands and preflight open. Behind a transaction-pooling PgBouncer
// both pools go through it and the direct URL carries LISTEN, migrations and backups.
import type { Config } from '../config.ts';
import type { Logger } from '../logging.ts';
import { createDatabase } from './database.ts';
import type { Database } from './database.ts';
import { createPool, deriveAppUrl } from './pool.ts';
import { deriveAppPassword } from './roles.ts';

export function openDatabase(config: Pick<Config, 'appDatabaseUrl' | 'secret' | 'database'>, ownerUrl: string, log: Logger, sizes: { app: number; owner: number }): Database {
  const { pooler, directUrl } = config.database;
  const owner = createPool(ownerUrl, { max: sizes.owner, name: 'owner', log, pooler });
  const app = createPool(config.appDatabaseUrl ?? deriveAppUrl(ownerUrl, deriveAppPassword(config.secret)), { max: sizes.app, name: 'app', log, pooler });
  return createDatabase(app, owner, { directUrl: directUrl ?? ownerUrl, pooler });
}
