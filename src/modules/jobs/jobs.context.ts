// What the jobs module's use-cases need: the engine (a required port) and the audit trail.
import type { Database } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { AuditModule } from '../audit/index.ts';

export type JobsContext = { db: Database; jobs: JobEngine; audit: Pick<AuditModule, 'record'> };
