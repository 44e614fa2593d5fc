import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childKindProblem } from './hierarchy.ts';

test('organization → project → team; a team holds nothing; a child is always below its parent', () => {
  assert.equal(childKindProblem('organization', 'project'), null);
  assert.equal(childKindProblem('organization', 'team'), null);
  assert.equal(childKindProblem('project', 'team'), null);
  assert.match(childKindProblem('project', 'project') ?? '', /only contain teams/);
  assert.match(childKindProblem('organization', 'organization') ?? '', /projects and teams/);
  assert.match(childKindProblem('team', 'team') ?? '', /cannot have child/);
  assert.match(childKindProblem('team', 'project') ?? '', /cannot have child/);
});
