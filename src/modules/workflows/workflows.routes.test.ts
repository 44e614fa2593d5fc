// The workflows API without the job engine's worker: definitions checked before they are stored,
// versions, deploy and archive (with the cron schedule), permissions, workspace isolation (404),
// audit events, and the step-type seam.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createLogger } from '../../kernel/logging.ts';
import { cronTriggerHandler } from './cron-trigger.job.ts';
import { clientOf, createTenant } from './workflows.fixtures.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import type { Call, Tenant } from './workflows.fixtures.ts';

/** The module's context, for calling a job handler directly (the engine's worker is not running here). */
function contextOf(platform: TestPlatform): WorkflowsContext {
  return { db: platform.db, log: createLogger('silent'), currency: 'EUR', jobs: platform.jobs, audit: platform.audit, steps: undefined as never, resolveSecret: platform.secrets.resolve, finishedListeners: [] };
}

describe('workflows API', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  let owner: Call;
  let ownerB: Call;

  before(async () => {
    platform = await startTestPlatform();
    a = await createTenant(platform, `wfa-${randomBytes(3).toString('hex')}`);
    b = await createTenant(platform, `wfb-${randomBytes(3).toString('hex')}`);
    owner = clientOf(platform, a.tokens.owner);
    ownerB = clientOf(platform, b.tokens.owner);
  });
  after(async () => {
    await platform.stop();
  });

  async function auditActions(workspaceId: string, targetId: string): Promise<string[]> {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ action: string }>(
      `select action from audit_events where workspace_id = $1 and target_id = $2 order by id`, [workspaceId, targetId]));
    return rows.map((r) => r.action);
  }

  test('a definition is checked as a whole: every problem with its path, nothing stored', async () => {
    const res = await owner('POST', '/workflows', {
      name: 'Broken',
      definition: {
        steps: [
          { id: 'a', type: 'transform', expression: '1 +' },
          { id: 'a', type: 'nope' },
          { id: 'c', type: 'condition', expression: 'true', then: ['missing'] },
          { id: 'loop', type: 'foreach', items: '[1]', steps: [{ id: 'sleep', type: 'delay', ms: 10 }] },
          { id: 'h', type: 'http', url: 'ftp://example.com', extra: 1 },
          { id: 'w', type: 'workflow', workflowId: '0190a0b0-0000-7000-8000-000000000000' },
        ],
      },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'INVALID_DEFINITION');
    const paths = res.json().errors.map((e: { path: string; message: string }) => `${e.path}: ${e.message}`).join('\n');
    for (const expected of [
      /definition\.steps\.0\.expression: expression does not parse/,
      /definition\.steps\.1\.id: duplicate step id "a"/,
      /definition\.steps\.1\.type: unknown step type "nope"/,
      /definition\.steps\.2\.then\.0: "missing" is not a later step/,
      /definition\.steps\.3\.steps\.0\.type: a delay step can only be at the top level/,
      /definition\.steps\.4/,
      /sub-workflow 0190a0b0-0000-7000-8000-000000000000 is not a workflow of this workspace/,
    ]) assert.match(paths, expected);
    assert.equal((await owner('GET', '/workflows')).json().data.length, 0);

    const badSchema = await owner('POST', '/workflows', { name: 'x', inputSchema: { type: 'not-a-type' } });
    assert.equal(badSchema.json().code, 'INVALID_INPUT_SCHEMA');
    const badCron = await owner('POST', '/workflows', { name: 'x', schedule: { cron: 'every day at 9' } });
    assert.equal(badCron.json().code, 'INVALID_SCHEDULE');
    const badMapping = await owner('POST', '/workflows', { name: 'x', definition: { steps: [{ id: 't', type: 'transform', input: { v: '=(((' }, expression: '1' }] } });
    assert.match(badMapping.json().errors[0].path, /definition\.steps\.0\.input\.v/);
  });

  test('versions are immutable; deploy pins one; archive stops executions and removes the schedule; each change audited', async () => {
    const created = await owner('POST', '/workflows', {
      name: 'Nightly', description: 'report', schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris', input: { full: true } },
      definition: { steps: [{ id: 'one', type: 'transform', expression: '1' }] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const v2 = await owner('POST', `/workflows/${id}/versions`, { definition: { steps: [{ id: 'two', type: 'transform', expression: '2' }] } });
    assert.equal(v2.json().version, 2);
    const versions = (await owner('GET', `/workflows/${id}/versions`)).json();
    assert.deepEqual(versions.data.map((v: { version: number }) => v.version), [2, 1]);
    assert.equal(versions.data[1].definition.steps[0].id, 'one');

    // Deploy version 1 explicitly, then the current draft (2) with no body at all.
    const v1Id = versions.data[1].id as string;
    const deploy1 = await owner('POST', `/workflows/${id}/deploy`, { versionId: v1Id });
    assert.equal(deploy1.json().deployedVersion, 1);
    assert.equal(deploy1.json().currentVersion, 2);
    const schedule = await platform.db.withPlatform((tx) => tx.query<{ cron: string; timezone: string; workspace_id: string; queue: string }>(
      `select cron, timezone, workspace_id, queue from job_schedules where name = $1`, [`workflow:${id}`]));
    assert.deepEqual(schedule.rows[0], { cron: '0 3 * * *', timezone: 'Europe/Paris', workspace_id: a.workspaceId, queue: 'workflows.cron' });
    const deploy2 = await owner('POST', `/workflows/${id}/deploy`);
    assert.equal(deploy2.statusCode, 200, deploy2.body);
    assert.equal(deploy2.json().deployedVersion, 2);

    const patched = await owner('PATCH', `/workflows/${id}`, { name: 'Nightly report', revenuePerExecution: '12.5', schedule: { cron: '0 4 * * *' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().revenuePerExecution, '12.5000');
    const moved = await platform.db.withPlatform((tx) => tx.query<{ cron: string }>(`select cron from job_schedules where name = $1`, [`workflow:${id}`]));
    assert.equal(moved.rows[0].cron, '0 4 * * *');

    const archived = await owner('DELETE', `/workflows/${id}`);
    assert.equal(archived.statusCode, 200);
    assert.equal(archived.json().status, 'archived');
    const gone = await platform.db.withPlatform((tx) => tx.query(`select 1 from job_schedules where name = $1`, [`workflow:${id}`]));
    assert.equal(gone.rowCount, 0);
    assert.equal((await owner('POST', `/workflows/${id}/execute`, {})).json().code, 'WORKFLOW_ARCHIVED');
    assert.equal((await owner('PATCH', `/workflows/${id}`, { name: 'again' })).json().code, 'WORKFLOW_ARCHIVED');
    // Archived workflows leave the default list, and show when asked.
    assert.ok(!(await owner('GET', '/workflows')).json().data.some((w: { id: string }) => w.id === id));
    assert.ok((await owner('GET', '/workflows?status=archived')).json().data.some((w: { id: string }) => w.id === id));

    assert.deepEqual(await auditActions(a.workspaceId, id), [
      'workflow.created', 'workflow.version_created', 'workflow.deployed', 'workflow.deployed', 'workflow.updated', 'workflow.archived',
    ]);
  });

  test('execute answers 202 at once with a pending execution (and its job), audited; cancel before it runs', async () => {
    const created = await owner('POST', '/workflows', { name: 'Quick', definition: { steps: [{ id: 't', type: 'transform', expression: '1' }] } });
    const id = created.json().id as string;
    // A draft can be test-run by naming its version.
    const started = await owner('POST', `/workflows/${id}/execute`, { input: { a: 1 }, versionId: created.json().currentVersionId });
    assert.equal(started.statusCode, 202, started.body);
    assert.deepEqual(Object.keys(started.json()).sort(), ['executionId', 'status']);
    const executionId = started.json().executionId as string;
    const detail = (await owner('GET', `/executions/${executionId}`)).json();
    assert.equal(detail.status, 'pending');
    assert.deepEqual(detail.progress, { stepsDone: 0, stepsTotal: 1, currentStep: null, percent: 0 });
    assert.equal(detail.trigger, 'api');
    assert.deepEqual(detail.actor, { type: 'user', id: a.userIds.owner });
    const jobs = await platform.db.withPlatform((tx) => tx.query<{ queue: string; workspace_id: string }>(`select queue, workspace_id from jobs where payload->>'executionId' = $1`, [executionId]));
    assert.deepEqual(jobs.rows, [{ queue: 'workflows.execute', workspace_id: a.workspaceId }]);

    const cancelled = await owner('POST', `/executions/${executionId}/cancel`);
    assert.equal(cancelled.json().status, 'cancelled');
    const left = await platform.db.withPlatform((tx) => tx.query(`select 1 from jobs where payload->>'executionId' = $1`, [executionId]));
    assert.equal(left.rowCount, 0);
    assert.deepEqual(await auditActions(a.workspaceId, executionId), ['workflow.executed', 'execution.cancelled']);
  });

  test('permissions: viewers read, members build and run, only admins deploy and archive', async () => {
    const viewer = clientOf(platform, a.tokens.viewer);
    const member = clientOf(platform, a.tokens.member);
    const key = clientOf(platform, a.apiKey);
    assert.equal((await viewer('POST', '/workflows', { name: 'v' })).statusCode, 403);
    assert.equal((await viewer('GET', '/workflows')).statusCode, 200);
    const created = await member('POST', '/workflows', { name: 'by member' });
    assert.equal(created.statusCode, 201);
    const id = created.json().id as string;
    assert.equal((await member('POST', `/workflows/${id}/deploy`, {})).statusCode, 403);
    assert.equal((await member('DELETE', `/workflows/${id}`)).statusCode, 403);
    assert.equal((await viewer('POST', `/workflows/${id}/execute`, {})).statusCode, 403);
    // An API key (role member) runs workflows once they are deployed.
    assert.equal((await owner('POST', `/workflows/${id}/deploy`, {})).statusCode, 200);
    const started = await key('POST', `/workflows/${id}/execute`, {});
    assert.equal(started.statusCode, 202);
    const detail = (await key('GET', `/executions/${started.json().executionId}`)).json();
    assert.equal(detail.actor.type, 'api_key');
  });

  test('another workspace gets 404 for every id of A and lists without A\'s rows', async () => {
    const created = await owner('POST', '/workflows', { name: 'Private to A', definition: { steps: [{ id: 't', type: 'transform', expression: '"secret-of-a"' }] } });
    const id = created.json().id as string;
    await owner('POST', `/workflows/${id}/deploy`, {});
    const executionId = (await owner('POST', `/workflows/${id}/execute`, {})).json().executionId as string;
    for (const [method, url, payload] of [
      ['GET', `/workflows/${id}`], ['PATCH', `/workflows/${id}`, { name: 'mine' }], ['DELETE', `/workflows/${id}`],
      ['GET', `/workflows/${id}/versions`], ['POST', `/workflows/${id}/versions`, { definition: { steps: [] } }],
      ['POST', `/workflows/${id}/deploy`, {}], ['POST', `/workflows/${id}/execute`, {}], ['GET', `/workflows/${id}/executions`],
      ['GET', `/workflows/${id}/stats`], ['GET', `/executions/${executionId}`], ['POST', `/executions/${executionId}/cancel`],
      ['POST', `/executions/${executionId}/retry`],
    ] as const) {
      const res = await ownerB(method, url, payload);
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
    }
    // B can't name A's workflow as a sub-workflow either.
    const sub = await ownerB('POST', '/workflows', { name: 'x', definition: { steps: [{ id: 'w', type: 'workflow', workflowId: id }] } });
    assert.equal(sub.json().code, 'INVALID_DEFINITION');
    const lists = [await ownerB('GET', '/workflows'), await ownerB('GET', '/executions'), await ownerB('GET', '/workflows?status=deployed')];
    for (const list of lists) {
      assert.equal(list.statusCode, 200);
      assert.ok(!list.body.includes(id) && !list.body.includes(executionId) && !list.body.includes('secret-of-a'));
    }
    // A's execution is still pending, A's workflow unchanged.
    assert.equal((await owner('GET', `/executions/${executionId}`)).json().status, 'pending');
    assert.equal((await owner('GET', `/workflows/${id}`)).json().name, 'Private to A');
  });

  test('registerStepType: a new type is accepted in definitions; an unknown one is not', async () => {
    const refused = await owner('POST', '/workflows', { name: 'x', definition: { steps: [{ id: 'e', type: 'test.echo', text: 'hi' }] } });
    assert.equal(refused.json().code, 'INVALID_DEFINITION');
    platform.workflows.registerStepType('test.echo', {
      description: 'Echoes its text', schema: Type.Object({ text: Type.String({ maxLength: 10 }) }),
      execute: async (ctx) => ({ echoed: await ctx.resolve(ctx.step.text) }),
    });
    assert.throws(() => platform.workflows.registerStepType('test.echo', { description: '', schema: Type.Object({}), execute: async () => null }), /already registered/);
    const accepted = await owner('POST', '/workflows', { name: 'echo', definition: { steps: [{ id: 'e', type: 'test.echo', text: 'hi' }] } });
    assert.equal(accepted.statusCode, 201, accepted.body);
    const tooLong = await owner('POST', '/workflows', { name: 'echo', definition: { steps: [{ id: 'e', type: 'test.echo', text: 'far too long a text' }] } });
    assert.match(tooLong.json().errors[0].path, /definition\.steps\.0\.text/);
    assert.ok(platform.workflows.stepTypes().some((t) => t.type === 'test.echo'));
  });

  test('an input schema\'s patterns run on RE2: a catastrophic one cannot stall the process; lookaround is refused when saved', async () => {
    const lookaround = await owner('POST', '/workflows', { name: 'x', inputSchema: { type: 'object', properties: { code: { type: 'string', pattern: '^(?=.*[0-9]).+$' } } } });
    assert.equal(lookaround.json().code, 'INVALID_INPUT_SCHEMA');
    assert.match(JSON.stringify(lookaround.json()), /unsupported Perl syntax/);
    const created = await owner('POST', '/workflows', { name: 'Patterned', inputSchema: { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } }, definition: { steps: [{ id: 't', type: 'transform', expression: 'input.code' }] } });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    await owner('POST', `/workflows/${id}/deploy`, {});
    // On the JS engine this input backtracks for hours; on RE2 it is refused at once.
    const hostile = await owner('POST', `/workflows/${id}/execute`, { input: { code: `${'a'.repeat(40)}!` } });
    assert.equal(hostile.json().code, 'INPUT_REJECTED', hostile.body);
    assert.match(hostile.body, /body\.input\.code/);
    const fine = await owner('POST', `/workflows/${id}/execute`, { input: { code: 'aaaa' } });
    assert.ok(fine.statusCode < 300, fine.body);
  });

  test('uniqueItems in an input schema is checked in one pass: 20,000 objects are accepted (Ajv\'s pairwise check held the loop 9 s), a duplicate is named', async () => {
    const created = await owner('POST', '/workflows', { name: 'Unique', inputSchema: { type: 'object', properties: { rows: { type: 'array', uniqueItems: true } } }, definition: { steps: [{ id: 't', type: 'transform', expression: '$count(input.rows)' }] } });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    await owner('POST', `/workflows/${id}/deploy`, {});
    const many = await owner('POST', `/workflows/${id}/execute`, { input: { rows: Array.from({ length: 20_000 }, (_, i) => ({ n: i })) } });
    assert.ok(many.statusCode < 300, many.body.slice(0, 300));
    const twice = await owner('POST', `/workflows/${id}/execute`, { input: { rows: [{ a: 1, b: 2 }, { x: 0 }, { b: 2, a: 1 }] } });
    assert.equal(twice.json().code, 'INPUT_REJECTED');
    assert.match(twice.body, /items ## 0 and 2 are identical/);
  });

  test('startExecution from another module (webhook trigger): in the caller\'s transaction, idempotent by key', async () => {
    const created = await owner('POST', '/workflows', { name: 'Hooked', inputSchema: { type: 'object', required: ['event'] }, definition: { steps: [{ id: 't', type: 'transform', expression: 'input.event' }] } });
    const id = created.json().id as string;
    await owner('POST', `/workflows/${id}/deploy`, {});
    const start = (input: unknown) => platform.db.withWorkspace(a.workspaceId, (tx) => platform.workflows.startExecution({
      workspaceId: a.workspaceId, workflowId: id, input, trigger: 'webhook', actor: { type: 'system', id: null }, idempotencyKey: 'msg_1',
    }, tx));
    const first = await start({ event: 'paid' });
    const again = await start({ event: 'paid' });
    assert.equal(first.isNew, true);
    assert.equal(again.isNew, false);
    assert.equal(again.executionId, first.executionId);
    await assert.rejects(platform.workflows.startExecution({ workspaceId: a.workspaceId, workflowId: id, input: {}, trigger: 'webhook', actor: null }), (err: Error & { code?: string }) => err.code === 'INPUT_REJECTED');
    // Rolled back with the caller's transaction: no execution, no job.
    await assert.rejects(platform.db.withWorkspace(a.workspaceId, async (tx) => {
      await platform.workflows.startExecution({ workspaceId: a.workspaceId, workflowId: id, input: { event: 'x' }, trigger: 'webhook', actor: null, idempotencyKey: 'msg_2' }, tx);
      throw new Error('caller failed');
    }), /caller failed/);
    const executions = (await owner('GET', `/workflows/${id}/executions`)).json().data;
    assert.deepEqual(executions.map((e: { id: string; trigger: string }) => [e.id, e.trigger]), [[first.executionId, 'webhook']]);
  });

  test('an ordering key makes executions wait for each other (the second job is blocked behind the first)', async () => {
    const created = await owner('POST', '/workflows', { name: 'Ordered', definition: { steps: [{ id: 't', type: 'transform', expression: '1' }] } });
    const id = created.json().id as string;
    await owner('POST', `/workflows/${id}/deploy`, {});
    const start = (n: number) => platform.workflows.startExecution({ workspaceId: a.workspaceId, workflowId: id, input: { n }, trigger: 'webhook', actor: null, orderingKey: `source:${id}` });
    const first = await start(1);
    const second = await start(2);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ execution_id: string; status: string; ordering_key: string }>(
      `select payload->>'executionId' as execution_id, status, ordering_key from jobs where payload->>'executionId' = any($1::text[]) order by id`, [[first.executionId, second.executionId]]));
    assert.deepEqual(rows, [
      { execution_id: first.executionId, status: 'pending', ordering_key: `source:${id}` },
      { execution_id: second.executionId, status: 'blocked', ordering_key: `source:${id}` },
    ]);
  });

  test('the cron trigger starts one execution per tick with the schedule\'s input, and none for an archived workflow', async () => {
    const created = await owner('POST', '/workflows', { name: 'Cron', schedule: { cron: '*/5 * * * *', input: { from: 'cron' } }, definition: { steps: [{ id: 't', type: 'transform', expression: 'input.from' }] } });
    const id = created.json().id as string;
    await owner('POST', `/workflows/${id}/deploy`, {});
    const handler = cronTriggerHandler(contextOf(platform));
    const tick = (jobId: string) => handler({
      id: jobId, queue: 'workflows.cron', payload: { workflowId: id }, workspaceId: a.workspaceId, actor: null, attempt: 1, maxAttempts: 3,
      signal: new AbortController().signal, log: createLogger('silent'),
    });
    const jobId = '0190a0b0-0000-7000-8000-00000000000a';
    await tick(jobId);
    await tick(jobId); // the same tick retried: no second execution
    await tick('0190a0b0-0000-7000-8000-00000000000b');
    const executions = (await owner('GET', `/workflows/${id}/executions`)).json().data as Array<{ trigger: string; input: unknown; actor: { type: string } }>;
    assert.equal(executions.length, 2);
    assert.deepEqual(executions.map((e) => [e.trigger, e.input, e.actor.type]), [['cron', { from: 'cron' }, 'system'], ['cron', { from: 'cron' }, 'system']]);
    await owner('DELETE', `/workflows/${id}`);
    await tick('0190a0b0-0000-7000-8000-00000000000c');
    assert.equal((await owner('GET', `/workflows/${id}/executions`)).json().data.length, 2);
  });
});
