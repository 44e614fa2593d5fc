// Builds of workflows (issue 15): on each deploy (and on demand) the deployed version is compiled
// (compiler/compile.ts), checked for leaks, committed on the workspace's branch of the build
// repository and tagged — on the job engine, one build at a time per workspace (ordering key),
// 100 per workspace per rolling 24 hours. A build row says what was built and how it went; the
// code is in git, shown to those with workflow.build only.
import type { Tx } from '../../../kernel/db/database.ts';
import type { JobContext } from '../../../kernel/jobs/index.ts';
import { PermanentJobError } from '../../../kernel/jobs/index.ts';
import type { AuditContext } from '../../audit/index.ts';
import { compileWorkflow, leaks } from '../compiler/compile.ts';
import type { Manifest } from '../compiler/compile.ts';
import type { WorkflowsContext } from '../workflows.context.ts';
import { workflowsErrors } from '../workflows.errors.ts';
import { findVersion, findWorkflow } from '../workflows.store.ts';
import type { GitRepo } from './git-repo.ts';

export const BUILD_QUEUE = 'workflows.build';
export const BUILD_QUOTA = { builds: 100, windowHours: 24 } as const;

export type Build = {
  id: string; workflowId: string; versionId: string; version: number; reason: 'deploy' | 'rebuild';
  status: 'queued' | 'running' | 'succeeded' | 'failed'; commit: string | null; tag: string | null; manifest: Manifest | null;
  error: { code: string; message: string } | null; durationMs: number | null; requestedBy: string | null;
  createdAt: string; startedAt: string | null; finishedAt: string | null;
};

type Row = {
  id: string; workflow_id: string; version_id: string; version: number; reason: Build['reason']; status: Build['status']; commit_sha: string | null;
  tag: string | null; manifest: Manifest | null; error: Build['error']; duration_ms: number | null; requested_by: string | null;
  created_at: Date; started_at: Date | null; finished_at: Date | null;
};
const COLUMNS = 'id, workflow_id, version_id, version, reason, status, commit_sha, tag, manifest, error, duration_ms, requested_by, created_at, started_at, finished_at';
const toBuild = (r: Row): Build => ({
  id: r.id, workflowId: r.workflow_id, versionId: r.version_id, version: r.version, reason: r.reason, status: r.status, commit: r.commit_sha, tag: r.tag,
  manifest: r.manifest, error: r.error, durationMs: r.duration_ms, requestedBy: r.requested_by,
  createdAt: r.created_at.toISOString(), startedAt: r.started_at?.toISOString() ?? null, finishedAt: r.finished_at?.toISOString() ?? null,
});

/** `remote`: pushed after each build (the branch and the tag), for production's own git server. */
export type BuildsDeps = { ctx: WorkflowsContext; repo: GitRepo; remote?: string };

/**
 * A build of `versionId`, queued in the caller's transaction (bound to the workspace). Past the
 * quota: a rebuild is refused (429 with Retry-After); a deploy goes on without its build (audited).
 */
export async function requestBuild(
  deps: BuildsDeps, tx: Tx, audit: AuditContext,
  input: { workspaceId: string; workflowId: string; versionId: string; version: number; reason: Build['reason']; requestedBy: string | null },
): Promise<Build | null> {
  const ws = input.workspaceId;
  // One request at a time per workspace counts the window (a transaction-scoped lock, no row to serialise on otherwise).
  await tx.query("select pg_advisory_xact_lock(hashtextextended('atrium.builds:' || $1, 0))", [ws]);
  const { rows: [window] } = await tx.query<{ n: number; oldest: Date | null }>(
    `select count(*)::int as n, min(created_at) as oldest from workflow_builds where workspace_id = $1 and created_at > now() - make_interval(hours => $2)`,
    [ws, BUILD_QUOTA.windowHours]);
  if (window.n >= BUILD_QUOTA.builds) {
    const nextAt = new Date(window.oldest!.getTime() + BUILD_QUOTA.windowHours * 3_600_000);
    const seconds = Math.max(1, Math.ceil((nextAt.getTime() - Date.now()) / 1000));
    if (input.reason === 'rebuild') {
      throw workflowsErrors.create('BUILD_QUOTA_EXCEEDED', `${BUILD_QUOTA.builds} builds in the last ${BUILD_QUOTA.windowHours} hours; the next is allowed at ${nextAt.toISOString()}`, {
        headers: { 'retry-after': String(seconds) }, extra: { limit: BUILD_QUOTA.builds, nextAllowedAt: nextAt.toISOString() },
      });
    }
    await deps.ctx.audit.record(tx, audit, { workspaceId: ws, action: 'workflow.build_skipped', targetType: 'workflow', targetId: input.workflowId, diff: { after: { version: input.version, reason: 'quota', nextAllowedAt: nextAt.toISOString() } } });
    return null;
  }
  const { rows: [row] } = await tx.query<Row>(
    `insert into workflow_builds (workspace_id, workflow_id, version_id, version, reason, requested_by) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
    [ws, input.workflowId, input.versionId, input.version, input.reason, input.requestedBy]);
  await deps.ctx.jobs.enqueue(tx, BUILD_QUEUE, { buildId: row.id }, { workspaceId: ws, orderingKey: `builds:${ws}`, actor: input.requestedBy ? { type: 'user', id: input.requestedBy } : undefined });
  await deps.ctx.audit.record(tx, audit, { workspaceId: ws, action: 'workflow.build_requested', targetType: 'workflow_build', targetId: row.id, diff: { after: { workflowId: input.workflowId, version: input.version, reason: input.reason } } });
  return toBuild(row);
}

/** The branch and folder of a workspace's builds: named at its first build, from its slug then, and kept. */
export async function branchOf(tx: Tx, ws: string): Promise<{ branch: string; folder: string }> {
  const found = await tx.query<{ branch: string; folder: string }>('select branch, folder from workflow_build_branches where workspace_id = $1', [ws]);
  if (found.rows.length) return found.rows[0];
  const { rows: [w] } = await tx.query<{ slug: string }>('select slug from workspace_directory where id = $1', [ws]);
  const slug = (w?.slug ?? ws).toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 50).replace(/^-+|-+$/g, '') || 'workspace';
  // A branch name is unique across workspaces, which this transaction cannot see (RLS): the unique
  // index decides. A slug once used by another workspace (renamed since) keeps its branch; this one
  // then takes a suffix of its id.
  for (const name of [slug, `${slug}-${ws.slice(0, 8)}`]) {
    const made = await tx.query<{ branch: string; folder: string }>(
      'insert into workflow_build_branches (workspace_id, branch, folder) values ($1, $2, $3) on conflict do nothing returning branch, folder',
      [ws, `tenant/${name}`, `app/flows/${name}`]);
    if (made.rows.length) return made.rows[0];
    const mine = await tx.query<{ branch: string; folder: string }>('select branch, folder from workflow_build_branches where workspace_id = $1', [ws]);
    if (mine.rows.length) return mine.rows[0]; // named meanwhile by a concurrent build of this workspace
  }
  throw new Error(`no free build branch name for workspace ${ws}`);
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('.', '');

/** The `workflows.build` job: compile, check, commit, tag; the row says how it went (a failure is the build's, not the job's). */
export function buildHandler(deps: BuildsDeps) {
  return async (job: JobContext<{ buildId: string }>): Promise<void> => {
    const ws = job.workspaceId;
    if (!ws) throw new PermanentJobError('workflows.build jobs carry their workspace');
    const { ctx, repo } = deps;
    const started = Date.now();
    const loaded = await ctx.db.withWorkspace(ws, async (tx) => {
      const { rows: [row] } = await tx.query<Row>(`update workflow_builds set status = 'running', started_at = now() where workspace_id = $1 and id = $2 and status in ('queued', 'running') returning ${COLUMNS}`, [ws, job.payload.buildId]);
      if (!row) return null;
      const workflow = await findWorkflow(tx, ws, row.workflow_id);
      const version = await findVersion(tx, ws, row.version_id);
      return workflow && version ? { row, workflow, version, where: await branchOf(tx, ws), secretValues: await ctx.secretValues?.(tx, ws) ?? [] } : null;
    });
    if (!loaded) return;
    const { row, workflow, version, where, secretValues } = loaded;
    const finish = (outcome: { status: 'succeeded'; commit: string; tag: string; manifest: Manifest } | { status: 'failed'; error: { code: string; message: string } }) =>
      ctx.db.withWorkspace(ws, async (tx) => {
        await tx.query(
          `update workflow_builds set status = $3, commit_sha = $4, tag = $5, manifest = $6, error = $7, duration_ms = $8, finished_at = now() where workspace_id = $1 and id = $2`,
          [ws, row.id, outcome.status, outcome.status === 'succeeded' ? outcome.commit : null, outcome.status === 'succeeded' ? outcome.tag : null,
            outcome.status === 'succeeded' ? JSON.stringify(outcome.manifest) : null, outcome.status === 'failed' ? JSON.stringify(outcome.error) : null, Date.now() - started]);
        await ctx.audit.record(tx, { actor: { type: 'system', id: null }, ip: null, userAgent: null, requestId: null, traceId: null }, {
          workspaceId: ws, action: outcome.status === 'succeeded' ? 'workflow.build_succeeded' : 'workflow.build_failed', targetType: 'workflow_build', targetId: row.id,
          diff: { after: outcome.status === 'succeeded' ? { commit: outcome.commit, tag: outcome.tag, version: row.version } : { error: outcome.error, version: row.version } },
        });
      });
    try {
      const compiled = compileWorkflow({ workflowId: workflow.id, workflowName: workflow.name, versionId: version.id, version: version.version, definition: version.definition, inputSchema: workflow.inputSchema ?? null });
      // Nothing of the workspace's secrets (their values: a definition may hold a pasted one), nothing of another
      // workspace (its id, read on the platform path).
      const others = await ctx.db.withPlatform(async (tx) => (await tx.query<{ id: string }>('select id from workspace_directory where id <> $1', [ws])).rows.map((r) => r.id));
      const found = leaks(compiled.files, { secretValues, otherWorkspaceIds: others });
      // Any workspace's vault, through keyed fingerprints (a value pasted from another client's vault). The workspace
      // is told a vault's value is there, never whose; the operator's log says when it is another workspace's.
      for (const m of await ctx.vaultMatches?.(ws, compiled.files) ?? []) {
        if (!m.isOwnWorkspace) job.log.warn({ buildId: row.id, file: m.file }, 'a workflow build holds a value from another workspace\'s vault: refused');
        found.push(`${m.file}: a value kept in a vault`);
      }
      if (found.length) return void await finish({ status: 'failed', error: { code: 'BUILD_LEAK', message: `The build would hold what must not leave the workspace: ${[...new Set(found)].join('; ')}` } });
      const files = Object.fromEntries(Object.entries(compiled.files).map(([name, text]) => [`${where.folder}/${workflow.id}/${name}`, text]));
      await repo.createBranch(where.branch);
      const actor = row.requested_by ? `user ${row.requested_by}` : 'the platform';
      const { commit } = await repo.commit(where.branch, files, `Build ${workflow.name} v${version.version} (${row.reason} by ${actor})\n\nWorkflow ${workflow.id}, version ${version.id}, source sha256:${compiled.manifest.sourceHash}.\nBuild ${row.id}.\n`, { name: 'Atrium builds', email: 'builds@atrium.local', date: new Date() });
      const tag = `bld/${where.branch.slice('tenant/'.length)}/${stamp(new Date())}-${workflow.id.slice(0, 8)}-v${version.version}`;
      await repo.tag(tag, commit);
      if (deps.remote) {
        // Committed here whatever happens next; a failed push fails the build (a rebuild pushes the branch again).
        await repo.push(deps.remote, [`refs/heads/${where.branch}`, `refs/tags/${tag}`]).catch((err: Error) => {
          throw Object.assign(new Error(`committed and tagged, but not pushed to the remote: ${err.message.replaceAll(deps.remote!, '<remote>')}`), { code: 'BUILD_PUSH_FAILED' });
        });
      }
      await finish({ status: 'succeeded', commit, tag, manifest: compiled.manifest });
    } catch (err) {
      job.log.warn({ err, buildId: row.id }, 'a workflow build failed');
      // The repository's path is the installation's business, not the workspace's.
      const message = (err as Error).message.replaceAll(repo.dir, '<build repository>').slice(0, 2000);
      await finish({ status: 'failed', error: { code: (err as { code?: string }).code && /^[A-Z_]+$/.test((err as { code: string }).code) ? (err as { code: string }).code : 'BUILD_FAILED', message } });
    }
  };
}

export async function listBuilds(tx: Tx, ws: string, workflowId: string, limit: number): Promise<Build[]> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from workflow_builds where workspace_id = $1 and workflow_id = $2 order by created_at desc, id desc limit $3`, [ws, workflowId, limit]);
  return rows.map(toBuild);
}

/** A workspace's builds, newest first (the CLI's `builds list`), with each workflow's name. */
export async function listWorkspaceBuilds(tx: Tx, ws: string, limit: number): Promise<Array<Build & { workflowName: string }>> {
  const { rows } = await tx.query<Row & { workflow_name: string }>(
    `select ${COLUMNS.split(', ').map((c) => `b.${c}`).join(', ')}, w.name as workflow_name from workflow_builds b join workflows w on w.workspace_id = b.workspace_id and w.id = b.workflow_id
     where b.workspace_id = $1 order by b.created_at desc, b.id desc limit $2`, [ws, limit]);
  return rows.map((r) => ({ ...toBuild(r), workflowName: r.workflow_name }));
}

export async function findBuild(tx: Tx, ws: string, id: string): Promise<Build | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from workflow_builds where workspace_id = $1 and id = $2`, [ws, id]);
  return rows.length ? toBuild(rows[0]) : null;
}

export async function buildFolder(tx: Tx, ws: string): Promise<string | null> {
  const { rows } = await tx.query<{ folder: string }>('select folder from workflow_build_branches where workspace_id = $1', [ws]);
  return rows[0]?.folder ?? null;
}
