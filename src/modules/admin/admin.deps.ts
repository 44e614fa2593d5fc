import type { Config } from '../../kernel/config.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';

/** What the admin use-cases need; every database access goes through db.withPlatform. */
export type AdminDeps = { config: Config; db: Database; log: Logger; identity: IdentityModule; tenancy: TenancyModule; mail: MailModule; audit: Pick<AuditModule, 'record'>; jobs?: JobEngine };
