import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { AccessResolver } from './access-resolver.ts';

/** What the access use-cases need. */
export type AccessContext = { db: Database; log: Logger; audit: AuditModule; resolver: AccessResolver };

/** At most this many custom roles per workspace: listings return them all, without pages. */
export const MAX_ROLES = 100;
