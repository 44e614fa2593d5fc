// One kernel hook logs every request to a platform-admin route (the cross-workspace path): each
// `auth: 'platform-admin'` route of the route table, called by a platform admin and by a workspace
// owner (refused), leaves one `admin.request` line with the route, the answer and the actor.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import type { Platform } from '../../src/main.ts';
import type { Database } from '../../src/kernel/db/database.ts';
import { createTestDatabase, testConfig } from '../helpers/platform.ts';
import { createPlatformAdminSession, createTenant } from '../helpers/tenants.ts';

const lines: Array<Record<string, unknown>> = [];
let platform: Platform;
let db: Database;
let drop: () => Promise<void>;

before(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  const config = testConfig({ DATABASE_URL: database.url });
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  db = await connectDatabase(config, log, database.url);
  platform = await buildPlatform(config, db, log);
});
after(async () => {
  await platform.close();
  await db.close();
  await drop();
});

test('every platform-admin route is logged once per request, refusals included, by the kernel', async () => {
  const admin = await createPlatformAdminSession(platform, 'root@log.test', 'Root');
  const tenant = await createTenant(platform, 'log-tenant');
  const routes = platform.routeTable.filter((r) => r.auth === 'platform-admin');
  assert.ok(routes.length >= 20, `platform-admin routes: ${routes.length}`);
  for (const route of routes) {
    // Any id: a 404 or a 400 is an answer like another, and must be logged too.
    const url = route.url.replace(/:(\w+)/g, '00000000-0000-7000-8000-000000000000');
    for (const [who, token] of [['admin', admin.token], ['owner', tenant.tokens.owner]] as const) {
      lines.length = 0;
      const res = await platform.app.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }) });
      const logged = lines.filter((l) => l.action === 'admin.request');
      assert.equal(logged.length, 1, `${route.method} ${route.url} as ${who}: ${logged.length} admin.request lines`);
      assert.equal(logged[0].route, route.url);
      assert.equal(logged[0].status, res.statusCode);
      assert.equal(logged[0].actorUserId, who === 'admin' ? admin.userId : tenant.userIds.owner);
      if (who === 'owner') assert.equal(res.statusCode, 403);
    }
  }
});
