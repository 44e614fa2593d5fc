// Upkeep of agents and memory on the job engine's schedules: agents' logs kept by plan (free 7
// days, pro 30), expired memories deleted (and no longer counted against the quota).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { uuidv7 } from '../../kernel/ids.ts';

const DAY = 86_400_000;

describe('agents and memory upkeep', () => {
  let platform: TestPlatform;
  let free: Tenant;
  let pro: Tenant;

  async function agentOf(t: Tenant): Promise<string> {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: `Bearer ${t.tokens.admin}` }, payload: { name: 'Keeper', config: { model: 'x/y' } } });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as { id: string }).id;
  }

  before(async () => {
    platform = await startTestPlatform();
    free = await createTenant(platform, 'upkeep-free');
    pro = await createTenant(platform, 'upkeep-pro');
    await platform.db.withPlatform((tx) => tx.query(`update workspaces set plan = 'pro' where id = $1`, [pro.workspaceId]));
  });
  after(async () => {
    await platform.stop();
  });

  test('agent logs are kept 7 days on free, 30 on pro; newer entries stay', async () => {
    const now = Date.now();
    for (const t of [free, pro]) {
      const agentId = await agentOf(t);
      await platform.db.withPlatform(async (tx) => {
        for (const ageDays of [1, 10, 40]) {
          await tx.query(`insert into agent_logs (workspace_id, id, agent_id, level, type, message) values ($1, $2, $3, 'info', 'run_started', $4)`,
            [t.workspaceId, uuidv7(now - ageDays * DAY), agentId, `${ageDays} days old`]);
        }
      });
    }
    const run = await platform.agents.applyLogRetention({ now: new Date(now) });
    const left = async (t: Tenant) => (await platform.db.withPlatform((tx) => tx.query<{ message: string }>('select message from agent_logs where workspace_id = $1 order by id', [t.workspaceId]))).rows.map((r) => r.message);
    assert.deepEqual(await left(free), ['1 days old']);
    assert.deepEqual(await left(pro), ['10 days old', '1 days old']);
    assert.equal(run.deleted, 3);
    assert.deepEqual(run.byWorkspace.map((w) => w.retentionDays).sort(), [30, 7]);
  });

  test('expired memories are deleted and stop counting; the others stay', async () => {
    const auth = { authorization: `Bearer ${free.tokens.admin}` };
    const lasting = await platform.app.inject({ method: 'POST', url: '/api/v1/memories', headers: auth, payload: { text: 'Acme is based in Lyon' } });
    const soon = await platform.app.inject({ method: 'POST', url: '/api/v1/memories', headers: auth, payload: { text: 'The office is closed this week', expiresAt: new Date(Date.now() + 60_000).toISOString() } });
    assert.equal(lasting.statusCode, 201, lasting.body);
    assert.equal(soon.statusCode, 201, soon.body);
    const count = async () => (await platform.app.inject({ method: 'GET', url: '/api/v1/memories/quota', headers: auth })).json() as { workspace: { count: number } };
    assert.equal((await count()).workspace.count, 2);
    assert.equal(await platform.memory.deleteExpired(), 0, 'nothing has expired yet');
    assert.equal(await platform.memory.deleteExpired({ now: new Date(Date.now() + 120_000) }), 1);
    assert.equal((await count()).workspace.count, 1);
    const list = await platform.app.inject({ method: 'GET', url: '/api/v1/memories', headers: auth });
    assert.deepEqual((list.json() as { data: Array<{ text: string }> }).data.map((m) => m.text), ['Acme is based in Lyon']);
  });
});
