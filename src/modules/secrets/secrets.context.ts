import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { Keyring } from './envelope.ts';

/** What the secrets use-cases need. */
export type SecretsContext = { db: Database; log: Logger; keyring: Keyring; audit: AuditModule; tenancy: TenancyModule };
