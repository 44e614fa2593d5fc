// The identity routes' declared access (a snapshot: changing one is a deliberate act) and
// their OpenAPI documentation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';

const EXPECTED: Record<string, string> = {
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/login/mfa': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'session',
  'GET /api/v1/auth/me': 'authenticated',
  'POST /api/v1/auth/switch': 'session',
  'GET /api/v1/auth/sessions': 'session',
  'DELETE /api/v1/auth/sessions/:id': 'session',
  'POST /api/v1/auth/password': 'session',
  'POST /api/v1/auth/mfa/enroll': 'session',
  'POST /api/v1/auth/mfa/verify': 'session',
  'POST /api/v1/auth/mfa/disable': 'session',
  'POST /api/v1/auth/mfa/recovery-codes': 'session',
  'GET /api/v1/api-keys': 'permission:api_key.read',
  'POST /api/v1/api-keys': 'session+permission:api_key.create',
  'DELETE /api/v1/api-keys/:id': 'session+permission:api_key.revoke',
  'GET /api/v1/members': 'permission:member.read',
  'PATCH /api/v1/members/:userId': 'permission:member.update',
  'DELETE /api/v1/members/:userId': 'authenticated',
  'POST /api/v1/invitations': 'permission:member.invite',
  'GET /api/v1/invitations': 'permission:member.read',
  'DELETE /api/v1/invitations/:id': 'permission:member.invite',
  'GET /api/v1/invitations/lookup': 'public',
  'POST /api/v1/invitations/accept': 'public',
};

describe('identity routes', () => {
  let platform: TestPlatform;
  before(async () => { platform = await startTestPlatform(); });
  after(async () => { await platform.stop(); });

  test('each route declares the access in the snapshot', () => {
    const actual: Record<string, string> = {};
    for (const r of platform.routeTable) {
      const key = `${r.method} ${r.url}`;
      if (!(key in EXPECTED)) continue;
      actual[key] = [r.auth, r.permission && `permission:${r.permission}`].filter(Boolean).join('+');
    }
    assert.deepEqual(actual, EXPECTED);
  });

  test('each route is in the OpenAPI document with a tag and a summary', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string; security?: unknown[] }>> };
    assert.deepEqual(doc.paths['/api/v1/auth/login'].post.security, [], 'public routes need no bearer');
    for (const key of Object.keys(EXPECTED)) {
      const [method, url] = key.split(' ');
      const path = url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[method.toLowerCase()];
      assert.ok(op, `${key} is documented`);
      assert.ok(op.tags && op.tags.length > 0 && op.summary, `${key} has tags and a summary`);
    }
  });
});
