// The full route → access table, snapshotted: a change of who may call what shows up in review
// as a diff of route-access.snapshot.json. Regenerate with ATRIUM_UPDATE_SNAPSHOTS=1 npm test -- test/routes/route-access.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

const SNAPSHOT = path.join(import.meta.dirname, 'route-access.snapshot.json');
let platform: TestPlatform;

before(async () => {
  platform = await startTestPlatform();
});
after(async () => {
  await platform.stop();
});

test('every API route declares its access, and the table matches the snapshot', () => {
  const table = platform.routeTable
    .filter((r) => r.url.startsWith('/api/'))
    .map((r) => ({ route: `${r.method} ${r.url}`, access: [r.auth ?? 'authenticated', r.permission].filter(Boolean).join(' + ') }))
    .sort((a, b) => a.route.localeCompare(b.route));
  for (const r of platform.routeTable.filter((x) => x.url.startsWith('/api/'))) {
    assert.ok(r.auth !== undefined || r.permission !== undefined, `${r.method} ${r.url} declares no access`);
  }
  const current = Object.fromEntries(table.map((r) => [r.route, r.access]));
  if (process.env.ATRIUM_UPDATE_SNAPSHOTS === '1' || !existsSync(SNAPSHOT)) {
    writeFileSync(SNAPSHOT, JSON.stringify(current, null, 2) + '\n');
  }
  assert.deepEqual(current, JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
});

test('the OpenAPI document lists every API route', async () => {
  const doc = (await platform.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  for (const r of platform.routeTable.filter((x) => x.url.startsWith('/api/v1/') && x.url !== '/api/v1/openapi.json')) {
    const openapiPath = r.url.replace(/:(\w+)/g, '{$1}');
    assert.ok(doc.paths[openapiPath]?.[r.method.toLowerCase()], `${r.method} ${r.url} is missing from the OpenAPI document`);
  }
});
