// The provisioning pipeline on its own: order, compensation, naming the failed step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tx } from '../../kernel/db/database.ts';
import { createLogger } from '../../kernel/logging.ts';
import { ProvisioningStepError, createProvisioningPipeline } from './provisioning.ts';
import type { ProvisioningContext, ProvisioningStep } from './provisioning.ts';

const fakeTx = { query: async () => ({ rows: [] }) } as unknown as Tx;

function context(): ProvisioningContext {
  return { input: { email: 'a@b.co', name: 'A', companyName: 'B', passwordHash: 'x' }, workspaceId: '00000000-0000-7000-8000-000000000000', log: createLogger('silent'), state: new Map() };
}

/** Runs fn inside a pretend transaction that rolls back (rethrows) on error. */
function transaction(events: string[]) {
  return async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    events.push('begin');
    try {
      const result = await fn(fakeTx);
      events.push('commit');
      return result;
    } catch (err) {
      events.push('rollback');
      throw err;
    }
  };
}

function step(name: string, events: string[], options: { fails?: boolean; compensates?: boolean } = {}): ProvisioningStep {
  return {
    name,
    async run() {
      events.push(`run ${name}`);
      if (options.fails) throw new Error(`${name} broke`);
    },
    ...(options.compensates === false ? {} : { async compensate() { events.push(`undo ${name}`); } }),
  };
}

test('steps run in order inside one transaction, then finish', async () => {
  const events: string[] = [];
  const pipeline = createProvisioningPipeline([step('one', events), step('two', events)]);
  pipeline.registerProvisioningStep(step('three', events));
  const result = await pipeline.execute(context(), transaction(events), async () => { events.push('finish'); return 42; });
  assert.equal(result, 42);
  assert.deepEqual(events, ['begin', 'run one', 'run two', 'run three', 'finish', 'commit']);
});

test('a failing step: rollback, completed steps compensated in reverse, the error names the step', async () => {
  const events: string[] = [];
  const pipeline = createProvisioningPipeline([step('one', events), step('two', events, { compensates: false }), step('three', events)]);
  pipeline.registerProvisioningStep(step('boom', events, { fails: true }));
  pipeline.registerProvisioningStep(step('never', events));
  const err = await pipeline.execute(context(), transaction(events), async () => 1).catch((e: unknown) => e);
  assert.ok(err instanceof ProvisioningStepError);
  assert.equal(err.step, 'boom');
  assert.match(err.message, /"boom" failed: boom broke/);
  assert.equal((err.cause as Error).message, 'boom broke');
  assert.deepEqual(events, ['begin', 'run one', 'run two', 'run three', 'run boom', 'rollback', 'undo three', 'undo one']);
});

test('a failing commit compensates every step', async () => {
  const events: string[] = [];
  const pipeline = createProvisioningPipeline([step('one', events), step('two', events)]);
  const failingCommit = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    await fn(fakeTx);
    throw new Error('could not serialize');
  };
  const err = await pipeline.execute(context(), failingCommit, async () => 1).catch((e: unknown) => e);
  assert.ok(err instanceof ProvisioningStepError);
  assert.equal(err.step, 'commit');
  assert.deepEqual(events, ['run one', 'run two', 'undo two', 'undo one']);
});

test('a failing compensation does not stop the others', async () => {
  const events: string[] = [];
  const pipeline = createProvisioningPipeline([
    step('one', events),
    { name: 'two', async run() { events.push('run two'); }, async compensate() { events.push('undo two'); throw new Error('undo failed'); } },
    step('three', events, { fails: true }),
  ]);
  const err = await pipeline.execute(context(), transaction(events), async () => 1).catch((e: unknown) => e);
  assert.equal((err as ProvisioningStepError).step, 'three');
  assert.deepEqual(events.slice(-2), ['undo two', 'undo one']);
});

test('registration: before a named step, unique kebab-case names, removable', () => {
  const events: string[] = [];
  const pipeline = createProvisioningPipeline([step('user', events), step('welcome-mail', events)]);
  const remove = pipeline.registerProvisioningStep(step('memory-space', events), { before: 'welcome-mail' });
  assert.deepEqual(pipeline.stepNames(), ['user', 'memory-space', 'welcome-mail']);
  assert.throws(() => pipeline.registerProvisioningStep(step('user', events)), /already registered/);
  assert.throws(() => pipeline.registerProvisioningStep(step('Bad Name', events)), /kebab-case/);
  assert.throws(() => pipeline.registerProvisioningStep(step('x', events), { before: 'nope' }), /No provisioning step/);
  remove();
  assert.deepEqual(pipeline.stepNames(), ['user', 'welcome-mail']);
});
