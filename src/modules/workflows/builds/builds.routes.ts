// Builds of workflows (issue 15), for those with workflow.build (owners and admins by default):
//   GET  /workflows/:id/builds        the builds of a workflow, newest first
//   POST /workflows/:id/builds        rebuild its deployed version (202; 429 past 100 a day)
//   GET  /builds/:id                  one build (manifest, status, duration, commit, tag); ?files=true adds the code
//   GET  /builds/:id/diff?against=    the unified diff of the code between two builds of the workflow
import { Type } from '@fastify/type-provider-typebox';
import { ProblemSchema } from '../../../kernel/http/openapi.ts';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { workflowsErrors } from '../workflows.errors.ts';
import { findWorkflow, findVersion } from '../workflows.store.ts';
import { buildFolder, findBuild, listBuilds, listWorkspaceBuilds, requestBuild } from './builds.ts';
import type { BuildsDeps } from './builds.ts';

const tags = ['workflows'];
const Id = Type.String({ format: 'uuid' });
const Manifest = Type.Object({
  compiler: Type.Integer(), workflowId: Type.String(), workflowName: Type.String(), versionId: Type.String(), version: Type.Integer(),
  sourceHash: Type.String(), steps: Type.Integer(), stepTypes: Type.Array(Type.String()),
});
const BuildSchema = Type.Object({
  id: Id, workflowId: Id, versionId: Id, version: Type.Integer(),
  reason: Type.Union([Type.Literal('deploy'), Type.Literal('rebuild')]),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  commit: Type.Union([Type.String(), Type.Null()], { description: 'The commit on the workspace\'s branch of the build repository' }),
  tag: Type.Union([Type.String(), Type.Null()], { description: 'bld/<workspace>/<timestamp>-<workflow>-v<version>' }),
  manifest: Type.Union([Manifest, Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]), requestedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }), startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  files: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'With ?files=true: the build\'s files (path under its folder → text)' })),
});

export function buildsRoutes(deps: BuildsDeps): RoutePlugin {
  const { ctx, repo } = deps;
  return async (app) => {
    app.get('/workflows/:id/builds', {
      config: { permission: 'workflow.build' },
      schema: {
        tags, summary: 'The builds of a workflow, newest first', params: Type.Object({ id: Id }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(BuildSchema) }), 404: ProblemSchema },
      },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, async (tx) => {
        if (!(await findWorkflow(tx, ws, request.params.id))) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
        return { data: await listBuilds(tx, ws, request.params.id, request.query.limit) };
      });
    });

    app.post('/workflows/:id/builds', {
      config: { permission: 'workflow.build' },
      schema: {
        tags, summary: 'Rebuild the workflow\'s deployed version (compiled, committed and tagged by a job)', params: Type.Object({ id: Id }),
        response: { 202: BuildSchema, 404: ProblemSchema, 409: ProblemSchema, 429: ProblemSchema },
      },
    }, async (request, reply) => {
      const principal = request.principal!;
      const ws = principal.workspaceId;
      const build = await ctx.db.withWorkspace(ws, async (tx) => {
        const workflow = await findWorkflow(tx, ws, request.params.id);
        if (!workflow) throw workflowsErrors.create('WORKFLOW_NOT_FOUND');
        const version = workflow.deployedVersionId ? await findVersion(tx, ws, workflow.deployedVersionId) : null;
        if (workflow.status !== 'deployed' || !version) throw workflowsErrors.create('WORKFLOW_NOT_DEPLOYED', 'Only a deployed version is built: deploy the workflow first');
        return requestBuild(deps, tx, auditContextOf(request), { workspaceId: ws, workflowId: workflow.id, versionId: version.id, version: version.version, reason: 'rebuild', requestedBy: principal.userId });
      });
      return reply.code(202).send(build!);
    });

    app.get('/builds/:id', {
      config: { permission: 'workflow.build' },
      schema: {
        tags, summary: 'A build: manifest, status, duration, commit, tag (and its code with ?files=true)', params: Type.Object({ id: Id }),
        querystring: Type.Object({ files: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: { 200: BuildSchema, 404: ProblemSchema },
      },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const { build, folder } = await ctx.db.withWorkspace(ws, async (tx) => ({ build: await findBuild(tx, ws, request.params.id), folder: await buildFolder(tx, ws) }));
      if (!build) throw workflowsErrors.create('BUILD_NOT_FOUND');
      if (!request.query.files || !build.commit || !folder) return build;
      const prefix = `${folder}/${build.workflowId}/`;
      const files = await repo.read(build.commit, prefix);
      return { ...build, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k.slice(prefix.length), v])) };
    });

    app.get('/admin/workspaces/:id/builds', {
      config: { auth: 'platform-admin' },
      schema: {
        tags, summary: 'A workspace\'s build repository: its branch, the branch\'s head and the latest builds (platform admins)', params: Type.Object({ id: Id }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            branch: Type.Union([Type.String(), Type.Null()], { description: 'tenant/<slug>, named at signup or at the first build' }),
            folder: Type.Union([Type.String(), Type.Null()]), head: Type.Union([Type.String(), Type.Null()], { description: 'The branch\'s last commit (null before its first build)' }),
            builds: Type.Array(Type.Intersect([BuildSchema, Type.Object({ workflowName: Type.String() })])),
          }),
        },
      },
    }, async (request) => {
      const ws = request.params.id;
      const { where, builds } = await ctx.db.withPlatform(async (tx) => ({
        where: (await tx.query<{ branch: string; folder: string }>('select branch, folder from workflow_build_branches where workspace_id = $1', [ws])).rows[0] ?? null,
        builds: await listWorkspaceBuilds(tx, ws, request.query.limit),
      }));
      return { branch: where?.branch ?? null, folder: where?.folder ?? null, head: where ? await repo.head(where.branch) : null, builds };
    });

    app.get('/builds/:id/diff', {
      config: { permission: 'workflow.build' },
      schema: {
        tags, summary: 'What changed in the code between two builds of the same workflow (unified diff)', params: Type.Object({ id: Id }),
        querystring: Type.Object({ against: Type.String({ format: 'uuid', description: 'The other build (usually the previous one)' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ from: Type.String(), to: Type.String(), diff: Type.String() }), 404: ProblemSchema, 409: ProblemSchema },
      },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const { to, from, folder } = await ctx.db.withWorkspace(ws, async (tx) => ({
        to: await findBuild(tx, ws, request.params.id), from: await findBuild(tx, ws, request.query.against), folder: await buildFolder(tx, ws),
      }));
      if (!to || !from || from.workflowId !== to.workflowId) throw workflowsErrors.create('BUILD_NOT_FOUND', 'Both builds must be builds of the same workflow in this workspace');
      if (!to.commit || !from.commit || !folder) throw workflowsErrors.create('BUILD_NOT_READY', 'Both builds must have succeeded to be compared');
      return { from: from.id, to: to.id, diff: await repo.diff(from.commit, to.commit, `${folder}/${to.workflowId}/`) };
    });
  };
}
