import type { Database, Tx } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditModule } from '../audit/index.ts';

/** Does the workspace have this workflow execution? (The workflows module's door, a required port.) */
export type ExecutionLookup = (tx: Tx, workspaceId: string, executionId: string) => Promise<boolean>;

/** What the support use-cases need. */
export type SupportContext = { db: Database; log: Logger; audit: Pick<AuditModule, 'record'>; executionExists: ExecutionLookup };
