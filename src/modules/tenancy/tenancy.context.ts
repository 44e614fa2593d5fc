// What tenancy's use-cases and routes need (built in index.ts from the required ports).
import type { Database } from '../../kernel/db/database.ts';
import type { AuditModule } from '../audit/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { SettingsRegistry } from './settings.registry.ts';

export type TenancyContext = {
  db: Database;
  settings: SettingsRegistry;
  identity: Pick<IdentityModule, 'users' | 'sessions' | 'invalidateSessionCache'>;
  audit: Pick<AuditModule, 'record'>;
  /** Called after a workspace's settings changed (committed): the workspace and the changed keys. */
  settingsChanged: Array<(workspaceId: string, keys: string[]) => void>;
};
