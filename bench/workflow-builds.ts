// `npm run bench:workflow-builds` (issue 15): (1) compile + commit + tag of a 20-step workflow on
// a build repository holding 1,000 workspace branches (target p95 ≤ 500 ms), against the peer a
// script would be — the same files written to a work tree and `git add`, `git commit`, `git tag`
// (porcelain) on a clone with the same branches; (2) the compiled module's cost per step against
// the interpreter's (target ≤ 1.0×): the same 20-step workflow run inline both ways on the same
// step functions, BENCH_RUNS times (default 2,000) after a warm-up, interleaved.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { pct } from './lib/processes.ts';
import { compileWorkflow } from '../src/modules/workflows/compiler/compile.ts';
import { inlineRuntime } from '../src/modules/workflows/compiler/inline-runtime.ts';
import type { FlowRuntime } from '../src/modules/workflows/compiler/runtime.ts';
import { createGitRepo } from '../src/modules/workflows/builds/git-repo.ts';
import { runList } from '../src/modules/workflows/run-execution.job.ts';
import type { Env } from '../src/modules/workflows/run-execution.job.ts';
import { createStepRegistry } from '../src/modules/workflows/step-registry.ts';
import type { WorkflowDefinition } from '../src/modules/workflows/workflows.types.ts';

const BRANCHES = Number(process.env.BENCH_BRANCHES ?? 1000);
const BUILDS = Number(process.env.BENCH_BUILDS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const root = mkdtempSync(path.join(tmpdir(), 'atrium-bench-builds-'));
const f = (v: number) => `${v.toFixed(1)} ms`;

const definition = (n: number): WorkflowDefinition => ({ steps: [
  ...Array.from({ length: 16 }, (_, i) => ({ id: `t${i}`, type: 'transform', expression: i === 0 ? `input.n + ${n}` : `steps.t${i - 1} + 1` })),
  { id: 'big', type: 'condition', expression: 'steps.t15 > 10', then: ['each'], else: ['small'] },
  { id: 'each', type: 'foreach', items: '[1, 2, 3]', steps: [{ id: 'x', type: 'transform', expression: 'item * 2' }] },
  { id: 'small', type: 'transform', expression: '"small"' },
  { id: 'last', type: 'transform', expression: '$count(steps.each)' },
] });

// ---- (1) compile + commit + tag with 1,000 branches ------------------------------------------
const repo = createGitRepo(path.join(root, 'builds.git'));
let t0 = performance.now();
for (let i = 0; i < BRANCHES; i++) await repo.createBranch(`tenant/ws-${i}`);
console.log(`${BRANCHES} branches made in ${(performance.now() - t0) / 1000 | 0} s`);
const peer = path.join(root, 'peer');
execFileSync('git', ['clone', '--quiet', path.join(root, 'builds.git'), peer]);
execFileSync('git', ['-C', peer, 'config', 'user.name', 'Peer']);
execFileSync('git', ['-C', peer, 'config', 'user.email', 'peer@bench']);
const atrium: number[] = [];
const porcelain: number[] = [];
for (let i = 0; i < BUILDS; i++) {
  const branch = `tenant/ws-${(i * 37) % BRANCHES}`;
  t0 = performance.now();
  const compiled = compileWorkflow({ workflowId: 'w', workflowName: 'bench', versionId: `v${i}`, version: i + 1, definition: definition(i), inputSchema: null });
  const files = Object.fromEntries(Object.entries(compiled.files).map(([k, v]) => [`app/flows/ws/w/${k}`, v]));
  const { commit } = await repo.commit(branch, files, `Build bench v${i + 1}`, { name: 'Atrium builds', email: 'builds@atrium.local', date: new Date() });
  await repo.tag(`bld/ws/${Date.now()}-${i}`, commit);
  atrium.push(performance.now() - t0);

  t0 = performance.now();
  const peerCompiled = compileWorkflow({ workflowId: 'w', workflowName: 'bench', versionId: `p${i}`, version: i + 1, definition: definition(i + 1000), inputSchema: null });
  execFileSync('git', ['-C', peer, 'checkout', '--quiet', '-B', branch, `origin/${branch}`]);
  mkdirSync(path.join(peer, 'app/flows/ws/w'), { recursive: true });
  for (const [k, v] of Object.entries(peerCompiled.files)) writeFileSync(path.join(peer, 'app/flows/ws/w', k), v);
  execFileSync('git', ['-C', peer, 'add', '-A']);
  execFileSync('git', ['-C', peer, 'commit', '--quiet', '-m', `Build bench v${i + 1}`]);
  execFileSync('git', ['-C', peer, 'tag', `bld/peer/${Date.now()}-${i}`]);
  porcelain.push(performance.now() - t0);
}
console.log(`\ncompile + commit + tag of a 20-step workflow, ${BUILDS} builds over ${BRANCHES} branches`);
console.table({
  'atrium (plumbing, no work tree)': { p50: f(pct(atrium, 0.5)), p95: f(pct(atrium, 0.95)), max: f(Math.max(...atrium)) },
  'peer: work tree + git add/commit/tag': { p50: f(pct(porcelain, 0.5)), p95: f(pct(porcelain, 0.95)), max: f(Math.max(...porcelain)) },
});
console.log(`ratio p50 ${(pct(atrium, 0.5) / pct(porcelain, 0.5)).toFixed(2)}×; target p95 ≤ 500 ms: ${pct(atrium, 0.95) <= 500 ? 'met' : 'NOT met'}`);

// ---- (2) the compiled module's cost per step against the interpreter's -------------------------
const registry = createStepRegistry({ isPrivateNetworkAllowed: async () => false });
const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } };
const env = (): Env => ({
  ctx: { steps: registry } as unknown as Env['ctx'], job: { actor: null, log: silent } as unknown as Env['job'], ws: 'w',
  execution: { id: 'e' } as Env['execution'], workflow: { id: 'w' } as Env['workflow'], secrets: new Set(), signal: new AbortController().signal,
});
const def = definition(1);
const folder = path.join(root, 'flow');
mkdirSync(folder);
for (const [k, v] of Object.entries(compileWorkflow({ workflowId: 'w', workflowName: 'bench', versionId: 'v', version: 1, definition: def, inputSchema: null }).files)) writeFileSync(path.join(folder, k), v);
const compiled = (await import(pathToFileURL(path.join(folder, 'flow.ts')).href)) as { default: (rt: FlowRuntime, input: unknown) => Promise<unknown> };
const interpret = () => runList(env(), def.steps, { input: { n: 1 }, steps: {} }, 0);
const runCompiled = () => compiled.default(inlineRuntime(env()), { n: 1 });
const a = await interpret();
const b = await runCompiled();
if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`the two ways disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
for (let i = 0; i < 200; i++) { await interpret(); await runCompiled(); }
const interpreted: number[] = [];
const compiledTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  t0 = performance.now(); await interpret(); interpreted.push(performance.now() - t0);
  t0 = performance.now(); await runCompiled(); compiledTimes.push(performance.now() - t0);
}
const steps = 20 + 2; // 19 top-level steps run (small is skipped) + 3 foreach items
const per = (list: number[]) => (pct(list, 0.5) / steps) * 1000;
console.log(`\nthe same 20-step workflow inline, ${RUNS} runs each, interleaved (µs per step, p50 of runs / ${steps} steps run)`);
console.table({ interpreter: { 'per step': `${per(interpreted).toFixed(1)} µs`, 'run p50': f(pct(interpreted, 0.5)), 'run p95': f(pct(interpreted, 0.95)) }, compiled: { 'per step': `${per(compiledTimes).toFixed(1)} µs`, 'run p50': f(pct(compiledTimes, 0.5)), 'run p95': f(pct(compiledTimes, 0.95)) } });
console.log(`compiled / interpreter per step: ${(per(compiledTimes) / per(interpreted)).toFixed(2)}× (target ≤ 1.0×)`);
rmSync(root, { recursive: true, force: true });
