import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopWorkspaces } from './top-workspaces.ts';

test('at most n workspaces get a label; the busiest of the last window keep theirs, the rest are "other"', () => {
  let t = 0;
  const top = createTopWorkspaces({ n: 2, windowMs: 1000, now: () => t });
  assert.equal(top.label('a'), 'a', 'a free place is taken at once');
  assert.equal(top.label('b'), 'b');
  assert.equal(top.label('c'), 'other', 'no third label');
  for (let i = 0; i < 50; i++) top.label('c');
  for (let i = 0; i < 10; i++) top.label('b');
  t = 1000; // next window: ranked by the last one (c 51, b 11, a 1)
  assert.equal(top.label('c'), 'c');
  assert.equal(top.label('b'), 'b');
  assert.equal(top.label('a'), 'other', 'the quietest lost its label');
  t = 2000; // the last window saw only a: places are free again
  assert.equal(top.label('a'), 'other', 'ranked by the window before: c and b still hold the places');
  t = 3000;
  assert.equal(top.label('a'), 'a', 'the last window saw only a: it is ranked, and a place is free');
  assert.equal(top.label('d'), 'd');
  assert.equal(top.label('e'), 'other');
  assert.equal(createTopWorkspaces({ n: 0 }).label('a'), 'other');
});
