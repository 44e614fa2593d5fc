import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { deferredChild } from './logging.ts';
import type { Logger } from './logging.ts';

function capture(level: string): { log: Logger; lines: Array<Record<string, unknown>>; children: () => number } {
  const lines: Array<Record<string, unknown>> = [];
  const root = pino({ level, redact: { paths: ['*.token'], censor: '[redacted]' } }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  let made = 0;
  // The parent as deferredChild sees it, counting the children it makes.
  const parent = { child: (...args: Parameters<typeof root.child>) => { made++; return root.child(...args); }, isLevelEnabled: (l: string) => root.isLevelEnabled(l), get level() { return root.level; } };
  return { log: parent as unknown as Logger, lines, children: () => made };
}

test('a deferred child writes its bindings, those set later included, and redacts as its parent does', () => {
  const { log, lines, children } = capture('info');
  const child = deferredChild(log, { requestId: 'r-1' });
  child.setBindings({ workspaceId: 'w-1' });
  assert.equal(children(), 0, 'nothing made before a line is written');
  child.info({ secret: { token: 'abc' }, n: 1 }, 'first');
  child.setBindings({ userId: 'u-1' });
  child.warn({ n: 2 }, 'second');
  assert.equal(children(), 1, 'made once');
  assert.deepEqual(lines.map((l) => [l.msg, l.requestId, l.workspaceId, l.userId ?? null, l.n]), [['first', 'r-1', 'w-1', null, 1], ['second', 'r-1', 'w-1', 'u-1', 2]]);
  assert.deepEqual(lines[0].secret, { token: '[redacted]' });
});

test('a deferred child below its level writes nothing and makes no child', () => {
  const { log, lines, children } = capture('warn');
  const child = deferredChild(log, { requestId: 'r-2' });
  child.setBindings({ workspaceId: 'w-2' });
  child.info({ n: 1 }, 'not written');
  child.debug({ n: 2 }, 'not written');
  assert.equal(child.isLevelEnabled('info'), false);
  assert.equal(child.level, 'warn');
  assert.equal(children(), 0);
  assert.equal(lines.length, 0);
  child.error({ n: 3 }, 'written');
  assert.deepEqual(lines.map((l) => [l.msg, l.requestId, l.workspaceId]), [['written', 'r-2', 'w-2']]);
});

test('a deferred child with a level of its own (a route\'s logLevel) follows it, not its parent\'s', () => {
  const { log, lines } = capture('info');
  const quiet = deferredChild(log, { requestId: 'r-3' }, { level: 'error' });
  quiet.warn({}, 'not written');
  assert.equal(quiet.isLevelEnabled('warn'), false);
  quiet.error({}, 'written');
  assert.deepEqual(lines.map((l) => l.msg), ['written']);
  const nested = quiet.child({ part: 'x' });
  nested.error({}, 'nested');
  assert.equal(lines[1].part, 'x');
  assert.equal(lines[1].requestId, 'r-3');
});
