// The workflow compiler (issue 15): every fixture runs both ways — the interpreter's runList and
// the compiled module, on the same step functions — and must give the same output or the same
// error, after the same steps with the same inputs (a trace of every leaf step, and what a real
// HTTP server received). Then: determinism (byte-identical output, whatever the key order of the
// stored definition), the generated files pass `tsc --strict` on their own, and the leak scan
// fails a build holding a secret's value or another workspace's id.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Type } from '@fastify/type-provider-typebox';
import { evaluate } from '../expressions.ts';
import { runList } from '../run-execution.job.ts';
import type { Env } from '../run-execution.job.ts';
import { createStepRegistry } from '../step-registry.ts';
import { StepError } from '../workflows.types.ts';
import type { Scope, WorkflowDefinition } from '../workflows.types.ts';
import { compileWorkflow, leaks } from './compile.ts';
import { inlineRuntime } from './inline-runtime.ts';
import type { FlowRuntime } from './runtime.ts';

type Trace = Array<{ id: string; input: unknown; item?: unknown }>;
type Outcome = { output?: unknown; error?: { code: string; message: string }; trace: Trace; received: string[] };

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } };

describe('workflow compiler', () => {
  let server: Server;
  let base = '';
  let received: string[] = [];
  let trace: Trace = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-flows-'));
  const registry = createStepRegistry({ isPrivateNetworkAllowed: async () => true });
  registry.register('echo', {
    description: 'test: records its input', schema: Type.Object({}),
    execute: async (ctx) => {
      trace.push({ id: ctx.step.id, input: ctx.input, ...(ctx.scope.item !== undefined ? { item: ctx.scope.item } : {}) });
      if ((ctx.input as { fail?: unknown }).fail) throw new StepError('ECHO_REFUSED', `refused: ${String((ctx.input as { fail: unknown }).fail)}`);
      return { echoed: ctx.input };
    },
  });
  const env = (): Env => ({
    ctx: { steps: registry } as unknown as Env['ctx'], job: { actor: null, log: silent } as unknown as Env['job'], ws: '00000000-0000-4000-8000-000000000001',
    execution: { id: 'e' } as Env['execution'], workflow: { id: 'w' } as Env['workflow'], secrets: new Set(), signal: new AbortController().signal,
  });

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url, got: body ? JSON.parse(body) : null, ok: !req.url?.includes('fail') }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const fixtures = (): Array<[string, WorkflowDefinition, unknown]> => [
    ['mappings, literals and a chain of transforms', { steps: [
      { id: 'a', type: 'transform', expression: 'input.n * 2' },
      { id: 'b', type: 'echo', input: { doubled: '=steps.a', literal: '==not an expression', nested: { list: ['=input.n', 3, null, true] } } },
      { id: 'c', type: 'transform', expression: '$sum(steps.b.echoed.nested.list[$type($) = "number"])' },
    ] }, { n: 21 }],
    ['conditions: then and else, chained, one skipped by another', { steps: [
      { id: 'big', type: 'condition', expression: 'input.n > 10', then: ['yes', 'inner'], else: ['no'] },
      { id: 'yes', type: 'echo', input: { branch: 'yes' } },
      { id: 'no', type: 'echo', input: { branch: 'no' } },
      { id: 'inner', type: 'condition', expression: 'input.n > 100', then: ['huge'], else: ['modest'] },
      { id: 'huge', type: 'echo', input: { branch: 'huge' } },
      { id: 'modest', type: 'echo', input: { branch: 'modest', last: '=steps.yes' } },
    ] }, { n: 42 }],
    ['the same, the other way', { steps: [
      { id: 'big', type: 'condition', expression: 'input.n > 10', then: ['yes', 'inner'], else: ['no'] },
      { id: 'yes', type: 'echo', input: { branch: 'yes' } },
      { id: 'no', type: 'echo', input: { branch: 'no' } },
      { id: 'inner', type: 'condition', expression: 'input.n > 100', then: ['huge'], else: ['modest'] },
      { id: 'huge', type: 'echo', input: { branch: 'huge' } },
      { id: 'modest', type: 'echo', input: { branch: 'modest' } },
    ], output: '{ "ran": $keys(steps) }' }, { n: 3 }],
    ['foreach: items, index, outer steps, a condition inside, nested foreach', { steps: [
      { id: 'base', type: 'transform', expression: '100' },
      { id: 'each', type: 'foreach', items: 'input.items', steps: [
        { id: 'odd', type: 'condition', expression: 'index % 2 = 1', then: ['tag'] },
        { id: 'tag', type: 'echo', input: { item: '=item', index: '=index', base: '=steps.base' } },
        { id: 'pairs', type: 'foreach', items: '[1, 2]', steps: [{ id: 'p', type: 'transform', expression: 'item * 10' }] },
      ] },
    ], output: 'steps.each' }, { items: ['a', 'b', 'c', 'd'] }],
    ['foreach over one value and over null', { steps: [
      { id: 'one', type: 'foreach', items: 'input.single', steps: [{ id: 'x', type: 'echo', input: { it: '=item' } }] },
      { id: 'none', type: 'foreach', items: 'input.missing', steps: [{ id: 'y', type: 'echo' }] },
    ], output: '{ "one": steps.one, "none": steps.none }' }, { single: { k: 1 } }],
    ['http: what the server receives, and its answer in the next mapping', { steps: [
      { id: 'call', type: 'http', method: 'POST', url: `=${JSON.stringify('BASE')} & "/orders"`, body: { total: '=input.total' } },
      { id: 'after', type: 'echo', input: { status: '=steps.call.status', got: '=steps.call.body.got' } },
    ] }, { total: 12.5 }],
    ['a step error stops the run with its code', { steps: [
      { id: 'first', type: 'echo', input: { n: 1 } },
      { id: 'bad', type: 'echo', input: { fail: '=input.why' } },
      { id: 'never', type: 'echo', input: { n: 3 } },
    ] }, { why: 'no stock' }],
    ['an expression error, inside a foreach', { steps: [
      { id: 'loop', type: 'foreach', items: '[1, 2, 3]', steps: [{ id: 'boom', type: 'transform', expression: 'item = 2 ? $error("two is not allowed") : item' }] },
    ] }, {}],
    ['too many items', { steps: [{ id: 'loop', type: 'foreach', items: '[1..1001]', steps: [{ id: 'x', type: 'transform', expression: 'item' }] }] }, {}],
    ['a delay inside a foreach is refused', { steps: [{ id: 'loop', type: 'foreach', items: '[1]', steps: [{ id: 'wait', type: 'delay', ms: 0 }] }] }, {}],
    ['ids that would collide once joined (a__b at the top, b inside a)', { steps: [
      { id: 'a__b', type: 'transform', expression: '"top"' },
      { id: 'a', type: 'foreach', items: '[1]', steps: [{ id: 'b', type: 'transform', expression: '"inner"' }] },
    ], output: '[steps.a__b, steps.a]' }, {}],
    ['the output expression fails', { steps: [{ id: 'a', type: 'transform', expression: '1' }], output: '$error("no output")' }, {}],
  ];
  // What each fixture must have done (both ways, since both are equal): not a vacuous comparison.
  const EXPECTED: Record<string, (o: Outcome) => void> = {
    'mappings, literals and a chain of transforms': (o) => assert.deepEqual([o.output, o.trace[0].input], [24, { doubled: 42, literal: '=not an expression', nested: { list: [21, 3, null, true] } }]),
    'conditions: then and else, chained, one skipped by another': (o) => assert.deepEqual(o.trace.map((t) => t.id), ['yes', 'modest']),
    // inner was skipped, so its own targets are not: huge and modest both run (the interpreter's rule, kept).
    'the same, the other way': (o) => assert.deepEqual([o.trace.map((t) => t.id), o.output], [['no', 'huge', 'modest'], { ran: ['big', 'no', 'huge', 'modest'] }]),
    'foreach: items, index, outer steps, a condition inside, nested foreach': (o) => assert.deepEqual([o.trace.map((t) => t.item), (o.output as unknown[]).length], [['b', 'd'], 4]),
    'http: what the server receives, and its answer in the next mapping': (o) => assert.deepEqual([o.received, o.trace[0].input], [['POST /orders {"total":12.5}'], { status: 200, got: { total: 12.5 } }]),
    'a step error stops the run with its code': (o) => assert.deepEqual([o.error?.code, o.trace.map((t) => t.id)], ['ECHO_REFUSED', ['first', 'bad']]),
    'ids that would collide once joined (a__b at the top, b inside a)': (o) => assert.deepEqual(o.output, ['top', 'inner']), // JSONata flattens the inner list
    'too many items': (o) => assert.equal(o.error?.code, 'FOREACH_TOO_MANY_ITEMS'),
    'a delay inside a foreach is refused': (o) => assert.equal(o.error?.code, 'DELAY_NOT_ALLOWED'),
  };
  const withBase = (d: WorkflowDefinition): WorkflowDefinition => JSON.parse(JSON.stringify(d).replaceAll('\\"BASE\\"', JSON.stringify(JSON.stringify(base)).slice(1, -1))) as WorkflowDefinition;

  async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
    trace = [];
    received = [];
    try {
      const output = await run();
      return { output, trace, received };
    } catch (err) {
      return { error: { code: (err as { code?: string }).code ?? 'ERROR', message: (err as Error).message }, trace, received };
    }
  }

  let n = 0;
  async function load(definition: WorkflowDefinition): Promise<(rt: FlowRuntime, input: unknown) => Promise<unknown>> {
    const compiled = compileWorkflow({ workflowId: '00000000-0000-4000-8000-00000000000a', workflowName: 'fixture', versionId: '00000000-0000-4000-8000-00000000000b', version: 1, definition, inputSchema: null });
    const folder = path.join(dir, `f${n++}`);
    (await import('node:fs')).mkdirSync(folder);
    for (const [name, text] of Object.entries(compiled.files)) writeFileSync(path.join(folder, name), text);
    return ((await import(pathToFileURL(path.join(folder, 'flow.ts')).href)) as { default: (rt: FlowRuntime, input: unknown) => Promise<unknown> }).default;
  }

  for (const [name, fixture, input] of fixtures()) {
    test(`conformance: ${name}`, async () => {
      const definition = withBase(fixture);
      const interpreted = await outcome(async () => {
        const scope: Scope = { input, steps: {} };
        const last = await runList(env(), definition.steps, scope, 0);
        return definition.output ? evaluate(definition.output, scope) : last;
      });
      const run = await load(definition);
      const compiled = await outcome(() => run(inlineRuntime(env()), input));
      assert.deepEqual(compiled, interpreted);
      const expected = EXPECTED[name];
      if (expected) expected(interpreted);
    });
  }

  test('the fixtures cover every built-in step type but workflow (which needs a database), and both outcomes', () => {
    const types = new Set<string>();
    const visit = (steps: WorkflowDefinition['steps']) => steps.forEach((s) => { types.add(s.type); if (Array.isArray(s.steps)) visit(s.steps as WorkflowDefinition['steps']); });
    for (const [, d] of fixtures()) visit(d.steps);
    for (const t of ['transform', 'condition', 'foreach', 'http', 'delay', 'echo']) assert.ok(types.has(t), t);
  });

  test('deterministic: the same version compiles to the same bytes, whatever the key order of the stored definition', () => {
    const [, definition] = fixtures()[3];
    const reorder = (v: unknown): unknown => (Array.isArray(v) ? v.map(reorder) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)])) : v);
    const meta = { workflowId: '00000000-0000-4000-8000-00000000000a', workflowName: 'orders', versionId: '00000000-0000-4000-8000-00000000000b', version: 3, inputSchema: { type: 'object', required: ['items'] } };
    const a = compileWorkflow({ ...meta, definition });
    const b = compileWorkflow({ ...meta, definition: reorder(definition) as WorkflowDefinition, inputSchema: reorder(meta.inputSchema) });
    assert.deepEqual(a.files, b.files);
    assert.equal(a.manifest.sourceHash, b.manifest.sourceHash);
    assert.deepEqual(a.manifest.stepTypes, ['condition', 'echo', 'foreach', 'transform']);
    assert.equal(a.manifest.steps, 6);
    assert.notEqual(compileWorkflow({ ...meta, definition: { ...definition, output: 'steps.base' } }).manifest.sourceHash, a.manifest.sourceHash);
  });

  test('the generated files pass tsc --strict on their own', async () => {
    const folder = path.join(dir, 'tsc');
    (await import('node:fs')).mkdirSync(folder);
    const names = ['a', 'b', 'c'];
    for (const [i, [, fixture]] of fixtures().slice(0, 5).entries()) {
      const sub = path.join(folder, names[i % 3] + i);
      (await import('node:fs')).mkdirSync(sub);
      for (const [name, text] of Object.entries(compileWorkflow({ workflowId: 'w', workflowName: 'w */ x', versionId: 'v', version: 1, definition: fixture, inputSchema: null }).files)) writeFileSync(path.join(sub, name), text);
    }
    const tsc = path.resolve(import.meta.dirname, '../../../../node_modules/typescript/bin/tsc');
    const files = (await import('node:fs')).readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => path.join(folder, f));
    const result = await promisify(execFile)(process.execPath, [tsc, '--ignoreConfig', '--noEmit', '--strict', '--target', 'es2023', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--verbatimModuleSyntax', '--noUnusedLocals', '--skipLibCheck', ...files]).catch((err: { stdout: string }) => ({ stdout: err.stdout, failed: true }));
    assert.ok(!('failed' in result), result.stdout);
  });

  test('the generated files pass the project\'s lint rules', async () => {
    const { ESLint } = await import('eslint');
    const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../../../..') });
    for (const [, fixture] of fixtures()) {
      const files = compileWorkflow({ workflowId: 'w', workflowName: 'lint', versionId: 'v', version: 1, definition: withBase(fixture), inputSchema: null }).files;
      for (const name of ['flow.ts', 'runtime.ts']) {
        const [result] = await eslint.lintText(files[name], { filePath: path.resolve(import.meta.dirname, `generated-${name}`) });
        assert.deepEqual(result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`), [], name);
      }
    }
  });

  test('names cannot break out of the comments they are shown in (U+2028 ends a line in JavaScript)', async () => {
    const g = globalThis as { pwned?: number };
    const run = await (async () => {
      const compiled = compileWorkflow({ workflowId: 'w', workflowName: 'x\u2028g.pwned = 1; */ g.pwned = 2; /*', versionId: 'v', version: 1, inputSchema: null,
        definition: { steps: [{ id: 'a', type: 'transform', name: 'y */ globalThis.pwned = 3; /*\u2029globalThis.pwned = 4', expression: '1' }] } });
      const folder = path.join(dir, 'names');
      (await import('node:fs')).mkdirSync(folder);
      for (const [name, text] of Object.entries(compiled.files)) writeFileSync(path.join(folder, name), text);
      return ((await import(pathToFileURL(path.join(folder, 'flow.ts')).href)) as { default: (rt: FlowRuntime, input: unknown) => Promise<unknown> }).default;
    })();
    assert.equal(g.pwned, undefined);
    assert.equal(await run(inlineRuntime(env()), {}), 1);
  });

  test('the leak scan fails a build holding a secret\'s value or another workspace\'s id; names are fine', () => {
    const definition: WorkflowDefinition = { steps: [{ id: 'call', type: 'http', method: 'GET', url: 'https://api.example.com', headers: { authorization: 'Bearer {{secrets.API_TOKEN}}' } }] };
    const clean = compileWorkflow({ workflowId: 'w', workflowName: 'ok', versionId: 'v', version: 1, definition, inputSchema: null });
    assert.deepEqual(leaks(clean.files, { secretValues: ['sk-live-abcdef123456'], otherWorkspaceIds: ['01a24a5a-bf55-7be5-9b24-945c6f84b322'] }), []);
    const planted = compileWorkflow({ workflowId: 'w', workflowName: 'leaky', versionId: 'v', version: 1, inputSchema: null, definition: {
      steps: [{ id: 'call', type: 'http', method: 'GET', url: 'https://api.example.com?ws=01A24A5A-BF55-7BE5-9B24-945C6F84B322', headers: { authorization: 'Bearer sk-live-abcdef123456' } }],
    } });
    assert.deepEqual(leaks(planted.files, { secretValues: ['sk-live-abcdef123456', 'abc'], otherWorkspaceIds: ['01a24a5a-bf55-7be5-9b24-945c6f84b322'] }).sort(), [
      'flow.ts: a secret\'s value', 'flow.ts: another workspace\'s id (01a24a5a-bf55-7be5-9b24-945c6f84b322)',
    ]);
  });
});
