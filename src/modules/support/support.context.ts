import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';

/** What the support use-cases need. */
export type SupportContext = { db: Database; log: Logger; audit: Pick<AuditModule, 'record'> };
