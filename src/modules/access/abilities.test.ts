// can() with conditions, compiled from grants: "only their own", attribute conditions, unions of
// roles, and deny on any error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtInAccess, can, canGrantPermission, compileAccess, isPerUser } from './abilities.ts';
import type { Grant } from './abilities.ts';
import { SELF, conditionsProblem } from './conditions.ts';
import type { Conditions } from './conditions.ts';
import type { Permission } from './permissions.ts';

const ME = '01900000-0000-7000-8000-00000000000a';
const OTHER = '01900000-0000-7000-8000-00000000000b';

function holder(grants: Grant[], userId: string | null = ME) {
  return { role: 'viewer' as const, access: compileAccess([...builtIn('viewer'), ...grants], userId) };
}

function builtIn(role: 'viewer'): Grant[] {
  return [...builtInAccess(role)!.list].map((permission) => ({ permission, conditions: null }));
}

test('"only the keys they created": allowed on their own, denied on another\'s; the route gate passes', () => {
  const p = holder([{ permission: 'api_key.revoke', conditions: { createdBy: SELF } }]);
  assert.equal(can(p, 'api_key.revoke'), true, 'coarse check: holds it for some keys');
  assert.equal(can(p, 'api_key.revoke', { createdBy: ME, role: 'member' }), true);
  assert.equal(can(p, 'api_key.revoke', { createdBy: OTHER, role: 'member' }), false);
  assert.equal(can(p, 'api_key.revoke', { createdBy: null, role: 'member' }), false);
  assert.equal(canGrantPermission(p, 'api_key.revoke'), false, 'a conditional holder can\'t grant it on');
  assert.equal(can(p, 'api_key.create'), false);
});

test('attribute conditions: equality and $in, ANDed within a grant, ORed across grants', () => {
  const onlyViewerKeys = holder([{ permission: 'api_key.revoke', conditions: { role: 'viewer' } }]);
  assert.equal(can(onlyViewerKeys, 'api_key.revoke', { createdBy: OTHER, role: 'viewer' }), true);
  assert.equal(can(onlyViewerKeys, 'api_key.revoke', { createdBy: OTHER, role: 'admin' }), false);

  const ownNonAdmin = holder([{ permission: 'api_key.revoke', conditions: { createdBy: SELF, role: { $in: ['member', 'viewer'] } } }]);
  assert.equal(can(ownNonAdmin, 'api_key.revoke', { createdBy: ME, role: 'viewer' }), true);
  assert.equal(can(ownNonAdmin, 'api_key.revoke', { createdBy: ME, role: 'admin' }), false);
  assert.equal(can(ownNonAdmin, 'api_key.revoke', { createdBy: OTHER, role: 'viewer' }), false);

  // Two roles: own keys OR viewer keys.
  const union2 = holder([{ permission: 'api_key.revoke', conditions: { createdBy: SELF } }, { permission: 'api_key.revoke', conditions: { role: 'viewer' } }]);
  assert.equal(can(union2, 'api_key.revoke', { createdBy: ME, role: 'admin' }), true);
  assert.equal(can(union2, 'api_key.revoke', { createdBy: OTHER, role: 'viewer' }), true);
  assert.equal(can(union2, 'api_key.revoke', { createdBy: OTHER, role: 'admin' }), false);
});

test('an unconditional grant in any role wins over a conditional one', () => {
  const p = holder([{ permission: 'api_key.revoke', conditions: { createdBy: SELF } }, { permission: 'api_key.revoke', conditions: null }]);
  assert.equal(can(p, 'api_key.revoke', { createdBy: OTHER, role: 'admin' }), true);
  assert.equal(canGrantPermission(p, 'api_key.revoke'), true);
});

test('"their own" for a caller without a user (an API key) grants nothing', () => {
  const p = holder([{ permission: 'api_key.revoke', conditions: { createdBy: SELF } }], null);
  assert.equal(can(p, 'api_key.revoke'), false);
  assert.equal(can(p, 'api_key.revoke', { createdBy: null, role: 'viewer' }), false);
});

test('deny on error: invalid stored grants are skipped, a throwing resource denies, nothing throws', () => {
  const problems: string[] = [];
  const access = compileAccess([
    { permission: 'api_key.revoke', conditions: { createdBy: { $where: 'true' } } as unknown as Conditions },
    { permission: 'member.remove', conditions: { createdBy: SELF } },
    { permission: 'gone.permission' as Permission, conditions: null },
    { permission: 'workspace.read', conditions: null },
  ], ME, (_grant, problem) => problems.push(problem));
  assert.equal(problems.length, 3, problems.join('; '));
  const p = { role: 'viewer' as const, access };
  assert.equal(can(p, 'api_key.revoke'), false);
  assert.equal(can(p, 'api_key.revoke', { createdBy: ME }), false);
  assert.equal(can(p, 'member.remove', { createdBy: ME }), false);
  assert.equal(can(p, 'workspace.read'), true);

  const own = holder([{ permission: 'api_key.revoke', conditions: { createdBy: SELF } }]);
  const errors: unknown[] = [];
  const exploding = Object.defineProperty({}, 'createdBy', { enumerable: true, get() { throw new Error('boom'); } });
  assert.equal(can(own, 'api_key.revoke', exploding, { onError: (e) => errors.push(e) }), false);
  assert.equal(errors.length, 1);
  assert.equal(can(own, 'api_key.revoke', Object.freeze({ createdBy: ME })), false, 'a frozen resource can\'t be tagged: denied, not thrown');
});

test('conditions are validated against the registry', () => {
  assert.equal(conditionsProblem('api_key.revoke', { createdBy: SELF }), null);
  assert.equal(conditionsProblem('api_key.revoke', { createdBy: ME, role: { $in: ['viewer'] } }), null);
  assert.match(conditionsProblem('api_key.revoke', { owner: SELF })!, /no condition field owner/);
  assert.match(conditionsProblem('api_key.revoke', { role: 'god' })!, /must be one of/);
  assert.match(conditionsProblem('api_key.revoke', { createdBy: 'bob' })!, /user id/);
  assert.match(conditionsProblem('api_key.revoke', {})!, /at least one field/);
  assert.match(conditionsProblem('api_key.revoke', { role: { $nin: ['admin'] } })!, /\$in/);
  assert.match(conditionsProblem('workspace.update', { createdBy: SELF })!, /does not accept conditions/);
  assert.equal(isPerUser([{ permission: 'api_key.revoke', conditions: { createdBy: SELF } }]), true);
  assert.equal(isPerUser([{ permission: 'api_key.revoke', conditions: { role: 'viewer' } }]), false);
});
