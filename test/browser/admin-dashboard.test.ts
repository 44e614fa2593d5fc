// The platform admin dashboard and a workspace's API logs in real Chromium, from seeded rows:
// KPI cards, the hourly chart, job queues, recent activity, the error table and its filter,
// workflow stats; then a workspace owner's API logs with a failed request's redacted body.
// Screenshots go to artifacts/screenshots/admin-dashboard-*.png (gitignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { uuidv7 } from '../../src/kernel/ids.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap as shoot, logIn as logInAs } from '../helpers/browser.ts';

const admin = { email: 'root@dash-browser.test', password: 'operator password 1' };
const owner = { email: 'ada@dash-browser.test', password: 'correct horse battery', company: 'Dash Agency' };
const HOUR = 3_600_000;

const snap = (page: Page, name: string) => shoot(page, `admin-dashboard-${name}`);

const login = (page: Page, baseUrl: string, next: string, email: string, password: string) => logInAs(page, baseUrl, { email, password }, { next });

async function seed(platform: TestPlatform, workspaceId: string): Promise<void> {
  const now = Date.now();
  await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>(`insert into workflows (workspace_id, name, status) values ($1, 'Invoice sync', 'deployed') returning id`, [workspaceId]);
    const v = await tx.query<{ id: string }>(`insert into workflow_versions (workspace_id, workflow_id, version, definition) values ($1, $2, 1, '{"steps":[]}') returning id`, [workspaceId, w.rows[0].id]);
    await tx.query('update workflows set current_version_id = $3, deployed_version_id = $3 where workspace_id = $1 and id = $2', [workspaceId, w.rows[0].id, v.rows[0].id]);
    const runs: Array<[string, number, number | null, unknown]> = [];
    for (let h = 0; h < 20; h++) runs.push(['completed', h * HOUR + 60_000, 1.25, null]);
    runs.push(['failed', 2 * HOUR, null, { message: 'Step "fetch" answered 502', code: 'STEP_FAILED' }]);
    runs.push(['timed_out', 5 * HOUR, null, { message: 'Timed out after 900000 ms', code: 'TIMED_OUT' }]);
    runs.push(['processing', 60_000, null, null]);
    for (const [status, agoMs, revenue, error] of runs) {
      const createdAt = new Date(now - agoMs);
      const finishedAt = status === 'processing' ? null : new Date(now - agoMs + 1500);
      await tx.query(
        `insert into workflow_executions (workspace_id, id, workflow_id, version_id, status, trigger, timeout_ms, created_at, started_at, finished_at, duration_ms, revenue, error)
         values ($1, $2, $3, $4, $5, 'api', 900000, $6, $6, $7, $8, $9, $10)`,
        [workspaceId, uuidv7(createdAt.getTime()), w.rows[0].id, v.rows[0].id, status, createdAt, finishedAt, finishedAt ? 1500 : null, revenue, error],
      );
    }
    await tx.query(`insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms, error_code, request_id, response_body)
                    values ($1, $2, $3, 'POST', '/api/v1/secrets/:name', 500, 12, 'INTERNAL', 'req-browser-500', '{"title":"Internal server error"}')`, [uuidv7(), workspaceId, new Date(now - 3 * HOUR)]);
    const minute = Math.floor(now / 60_000) * 60_000;
    for (let m = 1; m <= 30; m++) await tx.query('insert into health_samples (minute, is_db_ok, db_latency_ms) values ($1, $2, 0.8)', [new Date(minute - m * 60_000), m !== 7]);
  });
}

test('the platform dashboard and the API logs in Chromium', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium package to run the browser test`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  try {
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const baseUrl = platform.baseUrl!;
    await platform.admin.createPlatformAdmin({ email: admin.email, password: admin.password, name: 'Root' });
    const signup = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: owner.email, password: owner.password, name: 'Ada', companyName: owner.company } });
    assert.equal(signup.statusCode, 201, signup.body);
    const { accessToken, workspace } = signup.json() as { accessToken: string; workspace: { id: string } };
    await seed(platform, workspace.id);
    // A failed request of the workspace, with a secret in its body.
    const failed = await platform.app.inject({ method: 'PUT', url: '/api/v1/secrets/bad%20name', headers: { authorization: `Bearer ${accessToken}` }, payload: { value: 'never-shown-value-77', description: 'demo' } });
    assert.equal(failed.statusCode, 400);
    await platform.apiLogs.flush();

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await t.test('the admin dashboard: KPIs, chart, queues, activity, errors, workflows', async () => {
      await login(page, baseUrl, '/admin/dashboard', admin.email, admin.password);
      await page.getByRole('heading', { level: 1, name: 'Platform dashboard' }).waitFor();
      assert.ok(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).isVisible());
      await page.getByTestId('kpi-executions').waitFor();
      assert.equal(await page.getByTestId('kpi-executions').textContent(), '23');
      assert.equal(await page.getByTestId('kpi-errors').textContent(), '2'); // one 5xx + one failed run
      // 29 of the 30 seeded minutes are OK. When the clock crosses a minute between the seeding and
      // the read, the seeding minute is expected too: with the platform's own sample (30 of 31) or
      // before the sampler wrote it (29 of 31, counted down).
      const uptime = await page.getByTestId('kpi-uptime').textContent();
      assert.ok(['96.67 %', '96.77 %', '93.55 %'].includes(uptime ?? ''), `uptime ${uptime}`);
      // The seeded workspace; the admin's own workspace joins it once the admin's requests are logged.
      assert.ok(['1', '2'].includes(await page.getByTestId('kpi-workspaces').textContent() ?? ''), 'active workspaces');
      // 20 completed runs of 1.25 over the last 20 hours, when those hours are all in this month.
      const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
      if (Date.now() - 21 * HOUR > monthStart) assert.match(await page.getByTestId('kpi-revenue').textContent() ?? '', /25[.,]00/);
      assert.ok(await page.locator('[data-testid="executions-chart"] canvas').count() >= 1, 'the chart is drawn');
      await page.getByTestId('errors-table').waitFor();
      assert.equal(await page.locator('[data-testid="errors-table"] tbody tr').count(), 3);
      await page.getByTestId('workflow-stats-table').waitFor();
      assert.match(await page.locator('[data-testid="workflow-stats-table"] tbody tr').first().textContent() ?? '', /Invoice sync/);
      await snap(page, '01-overview');
    });

    await t.test('the error filter narrows the table', async () => {
      await page.getByLabel('Severity').selectOption('warning');
      await page.locator('[data-testid="errors-table"] tbody tr').filter({ hasText: 'TIMED_OUT' }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="errors-table"] tbody tr').length === 1);
      await snap(page, '02-errors-filtered');
    });

    await t.test('a workspace owner sees its API logs, a failed request with its body redacted', async () => {
      const ownerPage = await (await browser!.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
      ownerPage.on('pageerror', (error) => pageErrors.push(error.message));
      await login(ownerPage, baseUrl, '/api-logs', owner.email, owner.password);
      await ownerPage.getByRole('heading', { level: 1, name: 'API logs' }).waitFor();
      await ownerPage.getByTestId('api-logs-table').waitFor();
      await ownerPage.getByLabel('Status').selectOption('4xx');
      const row = ownerPage.locator('[data-testid="api-logs-table"] tbody tr').filter({ hasText: 'VALIDATION_FAILED' });
      await row.waitFor();
      await snap(ownerPage, '03-api-logs');
      await row.getByRole('button', { name: '/api/v1/secrets/:name' }).click();
      const body = await ownerPage.getByTestId('log-request-body').textContent() ?? '';
      // The vault's route keeps no request body at all (a value under any key would be a leak).
      assert.match(body, /"withheld": "this route carries secret values"/);
      assert.ok(!body.includes('never-shown-value-77'));
      await snap(ownerPage, '04-api-log-detail');
    });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
