// The alert rules (deploy/prometheus/atrium-rules.yml): valid for Prometheus (`promtool check
// rules`), each alert firing on the series that should fire it and quiet otherwise (`promtool test
// rules`, Debian's prometheus package; .ci/run installs it), and every metric they name exported
// by the platform — a renamed metric would leave an alert silent forever.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { createTenant } from '../helpers/tenants.ts';

const dir = path.resolve(import.meta.dirname, '../../deploy/prometheus');
const hasPromtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
// CI installs promtool: there, its absence is a failure, not a skip.
const skip = !hasPromtool && process.env.CI !== 'true' ? 'promtool is not installed (apt-get install --no-install-recommends prometheus)' : false;

let platform: TestPlatform;
before(async () => {
  platform = await startTestPlatform({ ATRIUM_METRICS_TOP_WORKSPACES: '1' });
});
after(async () => {
  await platform.stop();
});

test('promtool checks the rules and their unit tests pass', { skip }, () => {
  const check = execFileSync('promtool', ['check', 'rules', path.join(dir, 'atrium-rules.yml')], { encoding: 'utf8' });
  assert.match(check, /SUCCESS: \d+ rules found/);
  const unit = spawnSync('promtool', ['test', 'rules', 'atrium-rules.test.yml'], { cwd: dir, encoding: 'utf8' });
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
});

test('every metric the rules, dashboards and KEDA triggers name is exported by the platform; every alert has its runbook', async () => {
  const rules = readFileSync(path.join(dir, 'atrium-rules.yml'), 'utf8');
  const grafana = path.resolve(dir, '../grafana');
  const dashboards = readdirSync(grafana).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(grafana, f), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> });
  assert.ok(dashboards.length >= 3);
  // The KEDA triggers query Prometheus too (deploy/kubernetes/keda): a renamed metric would stop the autoscaling.
  const keda = readFileSync(path.resolve(dir, '../kubernetes/keda/scaledobjects.yaml'), 'utf8');
  assert.match(keda, /atrium_jobs_depth/);
  const exprs = [rules, keda, ...dashboards.flatMap((d) => d.panels.flatMap((p) => p.targets.map((t) => t.expr)))].join('\n');
  const named = new Set([...exprs.matchAll(/\batrium_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));
  const exported = new Set((await platform.metrics.registry.getMetricsAsJSON()).map((m) => m.name));
  const missing = [...named].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `named by a rule, not exported: ${missing.join(', ')}`);
  const runbooks = [...rules.matchAll(/runbook_url: "([^"]+)"/g)].map((m) => m[1]);
  assert.ok(runbooks.length >= 10);
  for (const file of new Set(runbooks)) assert.doesNotThrow(() => readFileSync(path.resolve(dir, '../..', file)), `${file} is missing`);
});

test('the counters the security alerts watch move: a refused login, then the throttle', async () => {
  const value = async (reason: string) => {
    const metric = (await platform.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'atrium_login_failures_total');
    return (metric?.values as Array<{ labels: { reason?: string }; value: number }> | undefined)?.find((v) => v.labels.reason === reason)?.value ?? 0;
  };
  const [invalid, locked] = [await value('invalid_credentials'), await value('locked')];
  for (let i = 0; i < 6; i++) {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'nobody@metrics.test', password: 'wrong password here' }, remoteAddress: '203.0.113.9' });
    assert.equal(res.statusCode, i < 5 ? 401 : 429, res.body);
  }
  assert.equal(await value('invalid_credentials'), invalid + 5);
  assert.equal(await value('locked'), locked + 1);
});

test('per-workspace metrics stay bounded: the busiest workspaces by id, every other one as "other"', async () => {
  const [first, second] = [await createTenant(platform, 'metrics-first'), await createTenant(platform, 'metrics-second')];
  const get = (token: string) => platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < 3; i++) assert.equal((await get(first.tokens.owner)).statusCode, 200);
  assert.equal((await get(second.tokens.owner)).statusCode, 200);
  const metric = (await platform.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'atrium_workspace_http_requests_total');
  const values = (metric?.values ?? []) as Array<{ labels: { workspace: string; status_class: string }; value: number }>;
  const count = (workspace: string) => values.filter((v) => v.labels.workspace === workspace && v.labels.status_class === '2xx').reduce((n, v) => n + v.value, 0);
  assert.equal(count(first.workspaceId), 3, 'the first workspace took the one labelled place');
  assert.equal(count(second.workspaceId), 0, 'no series of its own');
  assert.ok(count('other') >= 1, 'the second is counted as other');
  assert.ok(new Set(values.map((v) => v.labels.workspace)).size <= 2, 'one workspace label plus other');
});
