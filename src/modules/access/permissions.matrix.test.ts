// The permission matrix: every built-in role × every permission of the registry, against the
// explicit table below. Adding a permission or changing a built-in role fails this test until the
// table is updated, so the change shows in review.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERMISSIONS, ROLES, roleCan } from './permissions.ts';
import type { Permission, Role } from './permissions.ts';
import { can, effectivePermissions } from './abilities.ts';

// O = owner, A = admin, M = member, V = viewer: the roles holding the permission.
const EXPECTED: Record<Permission, string> = {
  'workspace.read': 'OAMV',
  'llm.use': 'OAM',
  'llm.read': 'OAM',
  'llm.manage': 'OA',
  'usage.read': 'OAM',
  'usage.manage': 'OA',
  'agent.read': 'OAMV',
  'agent.manage': 'OA',
  'agent.run': 'OAM',
  'http.request': 'OAM',
  'mcp_server.manage': 'OA',
  'mcp_tool.call': 'OAM',
  'data.read': 'OAMV',
  'data.write': 'OAM',
  'data_schema.manage': 'OA',
  'memory.read': 'OAMV',
  'memory.write': 'OAM',
  'workspace.update': 'OA',
  'workspace.create_child': 'OA',
  'workspace.delete': 'O',
  'member.read': 'OAMV',
  'member.invite': 'OA',
  'member.update': 'OA',
  'member.remove': 'OA',
  'api_key.read': 'OAM',
  'api_key.create': 'OA',
  'api_key.revoke': 'OA',
  'mail.read': 'OA',
  'audit.read': 'OA',
  'audit.export': 'OA',
  'secret.read': 'OAM',
  'secret.write': 'OA',
  'role.read': 'OAM',
  'role.manage': 'OA',
  'impersonation.start': 'O',
  'webhook.read': 'OAM',
  'webhook.manage': 'OA',
  'workflow.read': 'OAMV',
  'workflow.create': 'OAM',
  'workflow.update': 'OAM',
  'workflow.delete': 'OA',
  'workflow.deploy': 'OA',
  'workflow.execute': 'OAM',
  'workflow.build': 'OA',
  'api_log.read': 'OA',
  'request.read': 'OAMV',
  'request.create': 'OAM',
  'ticket.read': 'OAMV',
  'ticket.create': 'OAM',
  'ticket.comment': 'OAM',
};

const LETTER: Record<Role, string> = { owner: 'O', admin: 'A', member: 'M', viewer: 'V' };

test('the expected table lists exactly the registry\'s permissions', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(PERMISSIONS).sort());
});

for (const role of ROLES) {
  test(`built-in role ${role}: every permission as the table says (roleCan, can, /auth/me list)`, () => {
    const principal = { role };
    const expected = (Object.keys(EXPECTED) as Permission[]).filter((p) => EXPECTED[p].includes(LETTER[role]));
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      const isExpected = expected.includes(permission);
      assert.equal(roleCan(role, permission), isExpected, `roleCan(${role}, ${permission})`);
      assert.equal(can(principal, permission), isExpected, `can(${role}, ${permission})`);
      // A built-in grant is unconditional: it holds for any resource too.
      assert.equal(can(principal, permission, { createdBy: 'someone-else' }), isExpected, `can(${role}, ${permission}, resource)`);
    }
    assert.deepEqual(effectivePermissions(principal).sort(), expected.sort());
  });
}

test('an unknown role or permission is denied', () => {
  assert.equal(can({ role: 'superuser' as Role }, 'workspace.read'), false);
  assert.equal(roleCan('superuser' as Role, 'workspace.read'), false);
  assert.equal(can({ role: 'owner' }, 'workspace.explode' as Permission), false);
  assert.equal(can(null, 'workspace.read'), false);
});
