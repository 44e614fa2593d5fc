// Workflows end to end through the API, with the job engine running: create → version → deploy
// → execute → poll; every built-in step type; the http step's network guard and secrets; input
// schema; idempotency; cancel; retry from the failed step; timeout; stats; the finished hook.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { clientOf, createTenant, waitForExecution } from './workflows.fixtures.ts';
import type { Call, Tenant } from './workflows.fixtures.ts';
import type { ExecutionFinishedEvent } from './index.ts';

const SECRET_VALUE = `sk-live-${randomBytes(16).toString('hex')}`;

describe('workflow executions on the job engine', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let owner: Call;
  let member: Call;
  let server: http.Server;
  let serverUrl = '';
  const finished: ExecutionFinishedEvent[] = [];
  /** Calls to /flaky so far: the first answers 503, the next ones 200. */
  let flakyCalls = 0;

  before(async () => {
    platform = await startTestPlatform();
    platform.workflows.onExecutionFinished(async (tx, event) => {
      // In the finishing transaction: the execution is already ended there.
      const { rows } = await tx.query<{ status: string }>(`select status from workflow_executions where workspace_id = $1 and id = $2`, [event.workspaceId, event.executionId]);
      assert.equal(rows[0].status, event.status);
      finished.push(event);
    });
    platform.jobs.start();
    a = await createTenant(platform, `wf-${randomBytes(3).toString('hex')}`);
    owner = clientOf(platform, a.tokens.owner);
    member = clientOf(platform, a.tokens.member);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (req.url === '/flaky') {
          flakyCalls++;
          res.writeHead(flakyCalls === 1 ? 503 : 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ call: flakyCalls }));
          return;
        }
        // Echoes what it got, headers included: a secret sent in a header comes back in the body.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null, body: body ? JSON.parse(body) : null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await platform.jobs.stop();
    await platform.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  async function deployed(definition: unknown, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await owner('POST', '/workflows', { name: `wf ${randomBytes(3).toString('hex')}`, definition, ...extra });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const deploy = await owner('POST', `/workflows/${id}/deploy`, {});
    assert.equal(deploy.statusCode, 200, deploy.body);
    return id;
  }

  async function run(workflowId: string, input: unknown = {}, call: Call = owner) {
    const res = await call('POST', `/workflows/${workflowId}/execute`, { input });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().status, 'pending');
    return waitForExecution(call, res.json().executionId);
  }

  test('create → new version → deploy → execute: transform, condition and foreach give the right output', async () => {
    const created = await owner('POST', '/workflows', {
      name: 'Greeter', inputSchema: { type: 'object', properties: { name: { type: 'string' }, amount: { type: 'number' } }, required: ['name'] },
      revenuePerExecution: '2.50', costPerExecution: '0.40',
    });
    assert.equal(created.statusCode, 201, created.body);
    const wf = created.json();
    assert.equal(wf.status, 'draft');
    assert.equal(wf.currentVersion, 1);

    const definition = {
      steps: [
        { id: 'greet', type: 'transform', input: { who: '=input.name' }, expression: '"Hello " & step.who' },
        { id: 'big', type: 'condition', expression: 'input.amount > 100', then: ['vip'], else: ['regular'] },
        { id: 'vip', type: 'transform', expression: '"VIP"' },
        { id: 'regular', type: 'transform', expression: '"regular"' },
        { id: 'double', type: 'foreach', items: '[1, 2, 3]', steps: [{ id: 'times', type: 'transform', expression: 'item * 2 + index' }] },
      ],
      output: '{ "greeting": steps.greet, "tier": steps.vip ? steps.vip : steps.regular, "doubled": steps.double }',
    };
    const version = await owner('POST', `/workflows/${wf.id}/versions`, { definition, note: 'steps' });
    assert.equal(version.statusCode, 201, version.body);
    assert.equal(version.json().version, 2);

    // Not deployed yet: executing is refused.
    assert.equal((await owner('POST', `/workflows/${wf.id}/execute`, { input: { name: 'x' } })).json().code, 'WORKFLOW_NOT_DEPLOYED');
    const deploy = await owner('POST', `/workflows/${wf.id}/deploy`, { versionId: version.json().id });
    assert.equal(deploy.statusCode, 200, deploy.body);
    assert.equal(deploy.json().status, 'deployed');
    assert.equal(deploy.json().deployedVersion, 2);

    const small = await run(wf.id, { name: 'Ada', amount: 5 });
    assert.equal(small.status, 'completed', JSON.stringify(small.error));
    assert.deepEqual(small.output, { greeting: 'Hello Ada', tier: 'regular', doubled: [2, 5, 8] });
    assert.deepEqual(small.progress, { stepsDone: 5, stepsTotal: 5, currentStep: null, percent: 100 });
    assert.deepEqual(small.steps.map((s) => [s.stepId, s.status]), [['greet', 'completed'], ['big', 'completed'], ['vip', 'skipped'], ['regular', 'completed'], ['double', 'completed']]);
    assert.equal(small.revenue, '2.5000');

    const big = await run(wf.id, { name: 'Bob', amount: 500 });
    assert.equal((big.output as { tier: string }).tier, 'VIP');
    assert.equal(big.steps.find((s) => s.stepId === 'regular')?.status, 'skipped');

    // The hook saw both, in their finishing transactions.
    const events = finished.filter((e) => e.workflowId === wf.id);
    assert.deepEqual(events.map((e) => [e.type, e.status]), [['execution.completed', 'completed'], ['execution.completed', 'completed']]);
    assert.deepEqual(events[0].output, small.output);
  });

  test('input schema: a bad input is a 400 problem and no execution is created', async () => {
    const id = await deployed({ steps: [{ id: 't', type: 'transform', expression: 'input.n' }] }, { inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'], additionalProperties: false } });
    const res = await owner('POST', `/workflows/${id}/execute`, { input: { n: 0, extra: true } });
    assert.equal(res.statusCode, 400);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(res.json().code, 'INPUT_REJECTED');
    assert.ok(res.json().errors.some((e: { path: string }) => e.path === 'body.input.n'), res.body);
    assert.equal((await owner('GET', `/workflows/${id}/executions`)).json().data.length, 0);
    const ok = await run(id, { n: 3 });
    assert.equal(ok.output, 3);
  });

  test('Idempotency-Key: the same key gives the same execution; another input with it is a 422', async () => {
    const id = await deployed({ steps: [{ id: 't', type: 'transform', expression: 'input.v' }] });
    const key = `key-${randomBytes(4).toString('hex')}`;
    const first = await owner('POST', `/workflows/${id}/execute`, { input: { v: 1 } }, { 'idempotency-key': key });
    const second = await owner('POST', `/workflows/${id}/execute`, { input: { v: 1 } }, { 'idempotency-key': key });
    assert.equal(first.statusCode, 202);
    assert.equal(second.statusCode, 202);
    assert.equal(second.json().executionId, first.json().executionId);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    const other = await owner('POST', `/workflows/${id}/execute`, { input: { v: 2 } }, { 'idempotency-key': key });
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
    await waitForExecution(owner, first.json().executionId);
    const list = (await owner('GET', `/workflows/${id}/executions`)).json();
    assert.equal(list.data.length, 1);
  });

  test('delay re-enqueues instead of sleeping; a sub-workflow runs inside the execution', async () => {
    const child = await deployed({ steps: [{ id: 'up', type: 'transform', expression: '$uppercase(input.word)' }], output: '{ "shout": steps.up }' },
      { inputSchema: { type: 'object', required: ['word'] } });
    const parent = await deployed({
      steps: [
        { id: 'wait', type: 'delay', ms: 300 },
        { id: 'sub', type: 'workflow', workflowId: child, input: { word: '=input.word' } },
      ],
      output: 'steps.sub.shout & "!"',
    });
    const started = await owner('POST', `/workflows/${parent}/execute`, { input: { word: 'hey' } });
    const waiting = await waitForExecution(owner, started.json().executionId, (e) => e.status !== 'pending');
    const done = await waitForExecution(owner, started.json().executionId);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.output, 'HEY!');
    assert.equal(done.steps[0].stepType, 'delay');
    assert.equal(done.steps[0].status, 'completed');
    assert.ok(['processing', 'completed'].includes(waiting.status));

    // A delay computed to a date PostgreSQL can't hold, or past the longest wait, fails the step clearly (it used to reach SQL).
    for (const until of ['="+275760-09-13T00:00:00.000Z"', '="0000-01-01T00:00:00Z"', '="2999-01-01T00:00:00Z"']) {
      const far = await run(await deployed({ steps: [{ id: 'wait', type: 'delay', until }] }));
      assert.equal(far.status, 'failed', until);
      assert.equal(far.error?.code, 'DELAY_INVALID', JSON.stringify(far.error));
    }
    const huge = await run(await deployed({ steps: [{ id: 'wait', type: 'delay', ms: '=1e300' }] }));
    assert.equal(huge.error?.code, 'DELAY_INVALID');

    // A sub-workflow input that fails its schema fails the step, with a clear code.
    const bad = await deployed({ steps: [{ id: 'sub', type: 'workflow', workflowId: child, input: { nope: 1 } }] });
    const failed = await run(bad);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, 'SUB_WORKFLOW_INPUT_REJECTED');
    assert.equal(failed.error?.stepId, 'sub');
  });

  test('http step: loopback refused by default, allowed by the workspace setting; secrets resolved and never stored', async () => {
    const put = await owner('PUT', '/secrets/API_TOKEN', { value: SECRET_VALUE });
    assert.equal(put.statusCode, 201, put.body);
    const id = await deployed({
      steps: [{
        id: 'call', type: 'http', method: 'POST', url: `${serverUrl}/echo`,
        headers: { authorization: 'Bearer {{secrets.API_TOKEN}}' }, body: { hello: '=input.who' },
      }],
    });
    const refused = await run(id, { who: 'x' });
    assert.equal(refused.status, 'failed');
    assert.equal(refused.error?.code, 'PRIVATE_ADDRESS_REFUSED');

    const allow = await owner('PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } });
    assert.equal(allow.statusCode, 200, allow.body);
    const done = await run(id, { who: 'world' });
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    const output = done.output as { status: number; body: { method: string; authorization: string; body: unknown } };
    assert.equal(output.status, 200);
    assert.equal(output.body.method, 'POST');
    assert.deepEqual(output.body.body, { hello: 'world' });
    // The server got the secret, the stored output shows it redacted.
    assert.equal(output.body.authorization, 'Bearer [REDACTED]');

    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ n: number }>(
      `select count(*)::int as n from (
         select output::text as t from workflow_step_runs union all select output::text from workflow_executions
         union all select definition::text from workflow_versions union all select error::text from workflow_step_runs) x
       where t like '%' || $1 || '%'`, [SECRET_VALUE]));
    assert.equal(rows[0].n, 0);
    const detail = await owner('GET', `/executions/${done.id}`);
    assert.ok(!detail.body.includes(SECRET_VALUE));

    // A missing secret fails the step, naming the problem.
    const missing = await deployed({ steps: [{ id: 'call', type: 'http', url: `${serverUrl}/x`, headers: { 'x-key': '{{secrets.NOPE}}' } }] });
    const failed = await run(missing);
    assert.equal(failed.error?.code, 'SECRET_NOT_FOUND');
  });

  test('retry resumes at the failed step: earlier steps are not run again', async () => {
    await owner('PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } });
    flakyCalls = 0;
    const id = await deployed({
      steps: [
        { id: 'prepare', type: 'transform', expression: '"prepared at " & $now()' },
        { id: 'call', type: 'http', url: `${serverUrl}/flaky` },
        { id: 'finish', type: 'transform', expression: '{ "prepared": steps.prepare, "call": steps.call.body.call }' },
      ],
    });
    const failed = await run(id);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, 'HTTP_STATUS');
    assert.equal(failed.error?.stepId, 'call');
    assert.equal(failed.error?.stack, undefined, 'no workspace sees the platform\'s stack, owners included');
    const prepared = failed.steps.find((s) => s.stepId === 'prepare')?.output;
    // Kept for platform admins, with paths relative to the project (no host layout).
    const stored = await platform.db.withPlatform(async (tx) => (await tx.query<{ error: { stack?: string } }>('select error from workflow_executions where id = $1', [failed.id])).rows[0].error);
    assert.ok(stored.stack, 'the stack is stored');
    assert.equal(stored.stack.includes(process.cwd()), false, stored.stack);
    assert.equal(stored.stack.includes('file://'), false, stored.stack);

    // A member sees the error, not the stack.
    const asMember = (await member('GET', `/executions/${failed.id}`)).json();
    assert.equal(asMember.error.code, 'HTTP_STATUS');
    assert.equal(asMember.error.stack, undefined);

    const retry = await owner('POST', `/executions/${failed.id}/retry`);
    assert.equal(retry.statusCode, 202, retry.body);
    assert.equal(retry.json().status, 'pending');
    const done = await waitForExecution(owner, failed.id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.deepEqual(done.output, { prepared, call: 2 });
    assert.deepEqual(done.steps.map((s) => [s.stepId, s.attempt, s.status]), [
      ['prepare', 1, 'completed'], ['call', 1, 'failed'], ['call', 2, 'completed'], ['finish', 1, 'completed'],
    ]);
    assert.equal(flakyCalls, 2);
    // A completed execution can't be retried.
    assert.equal((await owner('POST', `/executions/${failed.id}/retry`)).json().code, 'EXECUTION_NOT_RETRYABLE');
  });

  test('a step with retry re-runs by itself after its delay', async () => {
    flakyCalls = 0;
    const id = await deployed({ steps: [{ id: 'call', type: 'http', url: `${serverUrl}/flaky`, retry: { maxAttempts: 3, delayMs: 10 } }] });
    const done = await run(id);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.deepEqual(done.steps.map((s) => [s.attempt, s.status]), [[1, 'failed'], [2, 'completed']]);
  });

  test('cancel of a delayed run: cancelled, its job gone, and it stays cancelled', async () => {
    const id = await deployed({ steps: [{ id: 'wait', type: 'delay', ms: 3_600_000 }, { id: 'after', type: 'transform', expression: '1' }] });
    const started = await owner('POST', `/workflows/${id}/execute`, {});
    const executionId = started.json().executionId as string;
    await waitForExecution(owner, executionId, (e) => (e as unknown as { steps: Array<{ status: string }> }).steps.some((s) => s.status === 'waiting'));
    const jobOf = await platform.db.withPlatform((tx) => tx.query<{ job_id: string }>(`select job_id from workflow_executions where id = $1`, [executionId]));
    const wakeUpJob = jobOf.rows[0].job_id;
    const cancel = await member('POST', `/executions/${executionId}/cancel`);
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.equal(cancel.json().status, 'cancelled');
    const countJobs = async (sql: string, value: string) => (await platform.db.withPlatform((tx) => tx.query<{ n: number }>(sql, [value]))).rows[0].n;
    // The wake-up job is gone at once; the attempt that scheduled it may still be finishing, then nothing is left.
    assert.equal(await countJobs(`select count(*)::int as n from jobs where id = $1`, wakeUpJob), 0);
    while (await countJobs(`select count(*)::int as n from jobs where payload->>'executionId' = $1`, executionId) > 0) await new Promise((r) => setTimeout(r, 50));
    const detail = (await owner('GET', `/executions/${executionId}`)).json();
    assert.equal(detail.status, 'cancelled');
    assert.equal(detail.steps[0].status, 'failed');
    assert.equal(detail.steps.length, 1);
    assert.equal((await owner('POST', `/executions/${executionId}/cancel`)).json().code, 'EXECUTION_FINISHED');
  });

  test('the workflow timeout ends a long execution as timed_out', async () => {
    const id = await deployed({ steps: [{ id: 'wait', type: 'delay', ms: 60_000 }] }, { timeoutMs: 1000 });
    const done = await run(id);
    assert.equal(done.status, 'timed_out');
    assert.equal(done.error?.code, 'TIMED_OUT');
    assert.ok(finished.some((e) => e.executionId === done.id && e.type === 'execution.failed' && e.status === 'timed_out'));
  });

  test('stats: totals, success rate, average duration and this month\'s revenue', async () => {
    const id = await deployed({ steps: [{ id: 'c', type: 'condition', expression: 'input.ok' }, { id: 'f', type: 'transform', expression: 'input.ok ? 1 : $error("boom")' }] }, { revenuePerExecution: '10', costPerExecution: '1.5' });
    await run(id, { ok: true });
    await run(id, { ok: true });
    const failed = await run(id, { ok: false });
    assert.equal(failed.status, 'failed');
    const stats = (await owner('GET', `/workflows/${id}/stats`)).json();
    assert.equal(stats.total, 3);
    assert.equal(stats.succeeded, 2);
    assert.equal(stats.failed, 1);
    assert.ok(Math.abs(stats.successRate - 2 / 3) < 1e-9);
    assert.equal(typeof stats.averageDurationMs, 'number');
    assert.deepEqual(stats.revenueThisMonth, { amountMinor: 2000, currency: 'EUR' });
    assert.deepEqual(stats.costThisMonth, { amountMinor: 300, currency: 'EUR' });
    const detail = (await owner('GET', `/workflows/${id}`)).json();
    assert.equal(detail.stats.total, 3);
    assert.equal(detail.recentExecutions.length, 3);
    const list = (await owner('GET', '/workflows')).json();
    const item = list.data.find((w: { id: string }) => w.id === id);
    assert.equal(item.executionCount, 3);
    assert.equal(item.lastExecution.status, 'failed');
    const failedOnly = (await owner('GET', `/executions?status=failed&workflowId=${id}`)).json();
    assert.deepEqual(failedOnly.data.map((e: { id: string }) => e.id), [failed.id]);
  });
});
