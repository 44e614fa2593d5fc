import type { Config } from '../../kernel/config.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { WorkflowsModule } from '../workflows/index.ts';
import type { RequestsModule } from '../requests/index.ts';
import type { SupportModule } from '../support/index.ts';
import type { ApiLogsModule } from '../apilogs/index.ts';

/** What other modules publish for the admin's reports: read doors, never their tables. */
export type AdminReports = {
  workflows: WorkflowsModule['reports'];
  requests: RequestsModule['reports'];
  support: SupportModule['reports'];
  apiLogs: ApiLogsModule['reports'];
  audit: AuditModule['reports'];
};

/** What the admin use-cases need; every database access goes through db.withPlatform. */
export type AdminContext = {
  config: Config; db: Database; log: Logger;
  identity: IdentityModule; tenancy: TenancyModule; mail: MailModule; audit: Pick<AuditModule, 'record'>; jobs: JobEngine;
  reports: AdminReports;
};
