// A platform admin runs a client account in real Chromium on a 1366×768 laptop screen: the whole
// admin navigation is visible without scrolling; the workspace list opens a client's page (usage,
// account, members, workflows, requests, tickets, activity); the edit form changes plan,
// subscription, notes and metadata (the server's state is checked), and a bad currency is named
// next to its field. Screenshots: artifacts/screenshots/admin-workspace-*.png (gitignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { uuidv7 } from '../../src/kernel/ids.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap as shoot, logIn } from '../helpers/browser.ts';

const admin = { email: 'root@ws-browser.test', password: 'operator password 1' };
const owner = { email: 'lin@ws-browser.test', password: 'correct horse battery', company: 'Northwind Clinic' };
const snap = (page: Page, name: string) => shoot(page, `admin-workspace-${name}`);

async function seed(platform: TestPlatform, workspaceId: string, token: string): Promise<void> {
  await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>(`insert into workflows (workspace_id, name, status) values ($1, 'Patient reminders', 'deployed') returning id`, [workspaceId]);
    const v = await tx.query<{ id: string }>(`insert into workflow_versions (workspace_id, workflow_id, version, definition) values ($1, $2, 1, '{"steps":[]}') returning id`, [workspaceId, w.rows[0].id]);
    await tx.query('update workflows set current_version_id = $3, deployed_version_id = $3, deployed_at = now() where workspace_id = $1 and id = $2', [workspaceId, w.rows[0].id, v.rows[0].id]);
    for (let i = 0; i < 8; i++) {
      const at = new Date(Date.now() - (i + 1) * 3_600_000);
      await tx.query(
        `insert into workflow_executions (workspace_id, id, workflow_id, version_id, status, trigger, timeout_ms, created_at, started_at, finished_at, duration_ms, revenue, actor)
         values ($1, $2, $3, $4, $5, 'api', 900000, $6, $6, $6, 2400, $7, '{"type":"user","id":null}')`,
        [workspaceId, uuidv7(at.getTime()), w.rows[0].id, v.rows[0].id, i === 0 ? 'failed' : 'completed', at, i === 0 ? null : '2.50']);
    }
  });
  const headers = { authorization: `Bearer ${token}` };
  assert.equal((await platform.app.inject({ method: 'POST', url: '/api/v1/requests', headers, payload: { title: 'Sync appointments with the CRM', frequency: 'hourly' } })).statusCode, 201);
  assert.equal((await platform.app.inject({ method: 'POST', url: '/api/v1/tickets', headers, payload: { subject: 'Reminders sent twice on Monday', priority: 'high' } })).statusCode, 201);
}

test('a platform admin runs a client account in Chromium (1366×768)', { timeout: 180_000 }, async (t) => {
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
    const signup = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: owner.email, password: owner.password, name: 'Lin', companyName: owner.company } });
    assert.equal(signup.statusCode, 201, signup.body);
    const { accessToken, workspace } = signup.json() as { accessToken: string; workspace: { id: string } };
    await seed(platform, workspace.id, accessToken);

    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await t.test('the whole admin navigation is on screen without scrolling', async () => {
      await logIn(page, baseUrl, admin, { next: '/admin/workspaces' });
      await page.getByRole('heading', { level: 1, name: 'All workspaces' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const name of ['Dashboard', 'Workspaces', 'Support tickets', 'Request pipeline', 'Jobs', 'Impersonation requests']) {
        const box = await nav.getByRole('link', { name, exact: true }).boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= 768, `${name} is visible at 1366×768 (box ${JSON.stringify(box)})`);
      }
      await page.screenshot({ path: `${SHOTS}/admin-workspace-01-list-1366x768.png` });
    });

    await t.test('the list opens the client page: usage, account, members, workflows, requests, tickets, activity', async () => {
      await page.getByRole('link', { name: owner.company }).click();
      await page.getByRole('heading', { level: 1, name: new RegExp(owner.company) }).waitFor();
      // 8 runs in 30 days, 7 completed at 2.50 → €17.50, success 7/8.
      assert.equal(await page.getByTestId('usage-executions').textContent(), '8');
      assert.equal(await page.getByTestId('usage-success-rate').textContent(), '87.5 %');
      assert.match(await page.getByTestId('usage-revenue').textContent() ?? '', /17[.,]50/);
      assert.equal(await page.getByTestId('subscription').textContent(), 'None recorded');
      await page.locator('#ws-workflows').getByText('Patient reminders').waitFor();
      await page.locator('#ws-requests').getByText('Sync appointments with the CRM').waitFor();
      await page.locator('#ws-tickets').getByText('Reminders sent twice on Monday').waitFor();
      await page.locator('#ws-members').getByText(owner.email).waitFor();
      await page.locator('#ws-audit').getByText('ticket.created').waitFor();
      await snap(page, '02-detail');
      // A shorter window: the figures follow.
      await page.getByLabel('Usage window').selectOption('7');
      await page.getByTestId('usage-executions').waitFor();
    });

    await t.test('the edit form changes plan, subscription, notes and metadata', async () => {
      await page.getByRole('button', { name: 'Edit account' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Plan').selectOption('pro');
      await dialog.getByLabel('Subscription').check();
      await dialog.getByLabel('Amount').fill('499.00');
      await dialog.getByLabel('Currency').fill('XYZ');
      await dialog.getByLabel('Starts on').fill('2026-12-01');
      await dialog.getByLabel('Notes').fill('Renewal call in March.');
      await dialog.getByRole('button', { name: 'Add a key' }).click();
      await dialog.getByLabel('Metadata key 1').fill('crmId');
      await dialog.getByLabel('Metadata value 1').fill('hs-88');
      await dialog.getByRole('button', { name: 'Save account' }).click();
      // The server names the field; nothing is saved.
      await dialog.getByText(/not an ISO 4217 currency code/).waitFor();
      await snap(page, '03-bad-currency');
      await dialog.getByLabel('Currency').fill('EUR');
      await dialog.getByRole('button', { name: 'Save account' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('subscription').filter({ hasText: /499[.,]00/ }).waitFor();
      assert.match(await page.getByTestId('subscription').textContent() ?? '', /month/);
      await page.locator('#ws-account').getByText('hs-88').waitFor();
      await snap(page, '04-saved');
      const saved = await platform!.admin.getWorkspaceOverview(workspace.id);
      assert.equal(saved.plan, 'pro');
      assert.deepEqual(saved.account.subscription?.amount, { amountMinor: 49_900, currency: 'EUR' });
      assert.equal(saved.account.notes, 'Renewal call in March.');
      assert.deepEqual(saved.account.metadata, { crmId: 'hs-88' });
    });

    await t.test('the AI limits: the plan\'s, then raised above it by the platform admin with a temporary increase', async () => {
      const card = page.getByTestId('admin-ai-limits');
      await card.getByText('The pro plan\'s limits').waitFor();
      assert.match(await card.innerText(), /of 100,000,000/);
      await page.locator('#ws-ai-limits').getByRole('button', { name: 'Change limits' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Tokens a month').fill('250000000');
      await dialog.getByLabel('Cost a month (USD)').fill('');
      await dialog.getByLabel('Extra tokens').fill('5000000');
      await dialog.getByLabel('Until (end of day, UTC)').fill('2099-01-31');
      await dialog.getByRole('button', { name: 'Save limits' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await card.getByText(/Custom limits, with a temporary increase until 2099-01-31/).waitFor();
      assert.match(await card.innerText(), /of 255,000,000/);
      assert.match(await card.innerText(), /Cost this month[\s\S]*no limit/);
      await snap(page, '05-ai-limits');
      const quotas = await platform!.db.withPlatform(async (tx) => (await tx.query<{ monthly_tokens: string; monthly_cost_micros: string | null; extra_tokens: string }>(
        `select monthly_tokens, monthly_cost_micros, extra_tokens from usage_quotas where workspace_id = $1 and scope = 'workspace'`, [workspace.id])).rows);
      assert.deepEqual(quotas.map((q) => [Number(q.monthly_tokens), q.monthly_cost_micros, Number(q.extra_tokens)]), [[250_000_000, null, 5_000_000]]);
    });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
