import type { Database, Tx } from '../../kernel/db/database.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import type { StepRegistry } from './step-registry.ts';
import type { FlowRuntime } from './compiler/runtime.ts';
import type { ExecutionFinishedEvent } from './workflows.types.ts';

export type ExecutionFinishedListener = (tx: Tx, event: ExecutionFinishedEvent) => Promise<void>;

/** What the workflows use-cases need. */
export type WorkflowsContext = {
  db: Database;
  log: Logger;
  /** ISO 4217 currency of prices and revenue (the installation's, ATRIUM_CURRENCY). */
  currency: string;
  jobs: JobEngine;
  audit: AuditModule;
  steps: StepRegistry;
  /** A secret's value, in the caller's transaction bound to the workspace. */
  resolveSecret: (tx: Tx, workspaceId: string, name: string) => Promise<string>;
  /**
   * How an execution's top level runs: null/undefined for the interpreter (the default); a compiled
   * module of the version (`run(rt, input)`) otherwise — what the engine conformance suite sets.
   */
  programOf?: (versionId: string) => ((rt: FlowRuntime, input: unknown) => Promise<unknown>) | null | undefined;
  /** The workspace's secret values, for a build's leak scan only (in memory, never stored or returned). */
  secretValues?: (tx: Tx, workspaceId: string) => Promise<string[]>;
  /** Files holding a token of a value in any workspace's vault (the secrets module's fingerprint index). */
  vaultMatches?: (workspaceId: string, files: Record<string, string>) => Promise<Array<{ file: string; isOwnWorkspace: boolean }>>;
  finishedListeners: ExecutionFinishedListener[];
  /** Builds (issue 15): queue one in the caller's transaction; null where no build repository is set up. */
  requestBuild?: (tx: Tx, audit: AuditContext, input: { workspaceId: string; workflowId: string; versionId: string; version: number; reason: 'deploy' | 'rebuild'; requestedBy: string | null }) => Promise<unknown>;
};

export const EXECUTE_QUEUE = 'workflows.execute';
export const CRON_QUEUE = 'workflows.cron';
export const MAX_SUB_WORKFLOW_DEPTH = 5;
/** A step's output kept as its checkpoint; larger fails the step. */
export const MAX_CHECKPOINT_BYTES = 1024 * 1024;
/** A step's output shown by the API; larger is shown truncated. */
export const MAX_SHOWN_OUTPUT_BYTES = 64 * 1024;
