// Conformance through the engine (issue 15): each fixture is deployed twice — one workflow run by
// the interpreter, its twin by its compiled module (setProgramResolver) — and executed for real on
// the job engine: checkpoints, skipped steps recorded, delays that re-enqueue the job, a step
// retried after a failure, failures and the output expression. The two executions must end the
// same: status, output, error code and step, and the same step runs (id, status, attempt, output).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { clientOf, createTenant, waitForExecution } from '../workflows.fixtures.ts';
import type { Call, ExecutionBody } from '../workflows.fixtures.ts';
import type { WorkflowDefinition } from '../workflows.types.ts';
import { compileWorkflow } from './compile.ts';
import type { FlowRuntime } from './runtime.ts';

type Program = (rt: FlowRuntime, input: unknown) => Promise<unknown>;

describe('workflow compiler: conformance through the engine', () => {
  let platform: TestPlatform;
  let owner: Call;
  let server: http.Server;
  let base = '';
  const flaky = new Map<string, number>();
  let child = '';
  const programs = new Map<string, Program>();
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-engine-flows-'));

  before(async () => {
    platform = await startTestPlatform();
    platform.workflows.setProgramResolver((versionId) => programs.get(versionId));
    platform.jobs.start();
    const t = await createTenant(platform, 'conform');
    owner = clientOf(platform, t.tokens.owner);
    await owner('PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } });
    server = http.createServer((req, res) => {
      // /flaky/<key>: 503 the first time for each key, 200 after.
      const key = req.url!.split('/')[2] ?? '';
      const n = (flaky.get(key) ?? 0) + 1;
      flaky.set(key, n);
      res.writeHead(req.url!.startsWith('/flaky/') && n === 1 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url!.replace(/\/flaky\/[^/]+/, '/flaky'), call: req.url!.startsWith('/flaky/') ? n : 1 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A sub-workflow the fixtures call (deployed once, interpreted: the step that calls it is the parent's).
    child = (await owner('POST', '/workflows', { name: 'Child', definition: { steps: [{ id: 'double', type: 'transform', expression: 'input.n * 2' }] } })).json().id as string;
    assert.equal((await owner('POST', `/workflows/${child}/deploy`, {})).statusCode, 200);
  });
  after(async () => {
    await platform.jobs.stop();
    await platform.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function deploy(name: string, definition: WorkflowDefinition, compiled: boolean): Promise<string> {
    const created = await owner('POST', '/workflows', { name, definition });
    assert.equal(created.statusCode, 201, created.body);
    const wf = created.json() as { id: string; currentVersionId: string; currentVersion: number };
    assert.equal((await owner('POST', `/workflows/${wf.id}/deploy`, {})).statusCode, 200);
    if (compiled) {
      const folder = path.join(dir, wf.id);
      mkdirSync(folder);
      for (const [file, text] of Object.entries(compileWorkflow({ workflowId: wf.id, workflowName: name, versionId: wf.currentVersionId, version: wf.currentVersion, definition, inputSchema: null }).files)) writeFileSync(path.join(folder, file), text);
      programs.set(wf.currentVersionId, ((await import(pathToFileURL(path.join(folder, 'flow.ts')).href)) as { default: Program }).default);
    }
    return wf.id;
  }

  // What differs between two runs by nature: the clock (a delay's wake-up, a server's Date header).
  const timeless = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null).replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"').replace(/"date":"[^"]*"/g, '"date":"<time>"'));
  const shape = (e: ExecutionBody) => ({
    status: e.status, output: timeless(e.output), error: e.error ? { code: e.error.code, stepId: e.error.stepId ?? null } : null,
    steps: e.steps.map((s) => ({ stepId: s.stepId, status: s.status, attempt: s.attempt, output: timeless(s.output), error: s.error?.code ?? null })),
  });

  const fixtures = (): Array<[string, (key: string) => WorkflowDefinition, unknown, (s: ReturnType<typeof shape>) => void]> => [
    ['conditions: the ruled-out steps recorded as skipped', () => ({ steps: [
      { id: 'big', type: 'condition', expression: 'input.n > 10', then: ['yes'], else: ['no', 'wait'] },
      { id: 'yes', type: 'transform', expression: '"big"' },
      { id: 'no', type: 'transform', expression: '"small"' },
      { id: 'wait', type: 'delay', ms: 60_000 },
      { id: 'done', type: 'transform', expression: '$keys(steps)' },
    ] }), { n: 42 }, (s) => assert.deepEqual(s.steps.map((x) => `${x.stepId}:${x.status}`), ['big:completed', 'yes:completed', 'no:skipped', 'wait:skipped', 'done:completed'])],
    ['delays re-enqueue the job and the run resumes after them', () => ({ steps: [
      { id: 'first', type: 'transform', expression: 'input.n + 1' },
      { id: 'nap', type: 'delay', ms: 300 },
      { id: 'then', type: 'transform', expression: 'steps.first * 2' },
    ], output: '{ "n": steps.then, "woke": $exists(steps.nap.waitedUntil) }' }), { n: 1 }, (s) => assert.deepEqual([s.status, s.output], ['completed', { n: 4, woke: true }])],
    ['a step that fails once is retried and the run goes on', (key) => ({ steps: [
      { id: 'call', type: 'http', method: 'GET', url: `${base}/flaky/${key}`, retry: { maxAttempts: 2, delayMs: 100 } },
      { id: 'after', type: 'transform', expression: 'steps.call.body.call' },
    ] }), {}, (s) => assert.deepEqual(s.steps.map((x) => `${x.stepId}:${x.status}:${x.attempt}`), ['call:failed:1', 'call:completed:2', 'after:completed:1'])],
    ['foreach, and the output expression', () => ({ steps: [
      { id: 'each', type: 'foreach', items: 'input.items', steps: [{ id: 'sq', type: 'transform', expression: 'item * item' }] },
    ], output: '$sum(steps.each)' }), { items: [1, 2, 3] }, (s) => assert.equal(s.output, 14)],
    ['a sub-workflow step', () => ({ steps: [
      { id: 'sub', type: 'workflow', workflowId: child, input: { n: '=input.n' } },
      { id: 'after', type: 'transform', expression: 'steps.sub + 1' },
    ] }), { n: 20 }, (s) => assert.deepEqual([s.status, s.output], ['completed', 41])],
    ['a failure ends the run where it happened', () => ({ steps: [
      { id: 'ok', type: 'transform', expression: '1' },
      { id: 'boom', type: 'transform', expression: '$error("no")' },
      { id: 'never', type: 'transform', expression: '2' },
    ] }), {}, (s) => assert.deepEqual([s.status, s.error?.stepId, s.steps.length], ['failed', 'boom', 2])],
  ];

  for (const [name, make, input, expect] of fixtures()) {
    test(name, async () => {
      const ends: Array<ReturnType<typeof shape>> = [];
      for (const compiled of [false, true]) {
        const wf = await deploy(`${name} (${compiled ? 'compiled' : 'interpreted'})`, make(`${name}-${compiled}`), compiled);
        const started = await owner('POST', `/workflows/${wf}/execute`, { input });
        assert.equal(started.statusCode, 202, started.body);
        ends.push(shape(await waitForExecution(owner, started.json().executionId as string)));
      }
      assert.deepEqual(ends[1], ends[0], 'the compiled module ends as the interpreter does');
      expect(ends[0]);
    });
  }
});
