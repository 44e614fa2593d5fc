// The allow-list's wildcard match: `*` is any run of characters, everything else is literal
// (regex metacharacters included), and a pattern of many stars stays linear on long names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isModelAllowed, matches } from './resolve-model.ts';

test('wildcards: * is any run, the rest literal', () => {
  assert.equal(matches('openai/gpt-4o*', 'openai/gpt-4o-mini'), true);
  assert.equal(matches('openai/gpt-4o*', 'openai/gpt-4'), false);
  assert.equal(matches('*/claude-*', 'anthropic/claude-haiku-4-5'), true);
  assert.equal(matches('a.b', 'axb'), false, 'a dot is a dot');
  assert.equal(matches('a+(b)', 'a+(b)'), true);
  assert.equal(matches('*', ''), true);
  assert.equal(matches('', 'x'), false);
  assert.equal(matches('x*y*z', 'x--y--z'), true);
  assert.equal(matches('x*y*z', 'x--z--y'), false);
  assert.equal(isModelAllowed([], 'p', 'm'), true);
  assert.equal(isModelAllowed(['p/other', 'p/m*'], 'p', 'm1'), true);
});

test('a pattern of a hundred stars against a 200-character name answers (no backtracking blow-up)', () => {
  // As a RegExp, ^a.*a.*…b$ on 200 a's backtracks for longer than anyone waits; here it is a loop.
  assert.equal(matches(`${'*a'.repeat(99)}b`, 'a'.repeat(200)), false);
  assert.equal(matches(`${'*a'.repeat(99)}*`, 'a'.repeat(200)), true);
});
