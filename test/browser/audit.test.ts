// The audit page in real Chromium: the events of a workspace after a few changes, a filter,
// one event's diff, the chain verification and a CSV export. Screenshots go to
// artifacts/screenshots/audit-*.png (gitignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap as shoot } from '../helpers/browser.ts';

const owner = { email: 'ada@audit.test', password: 'correct horse battery', company: 'Audited Agency' };

const snap = (page: Page, name: string) => shoot(page, `audit-${name}`);

test('the audit page in Chromium: events, filter, diff, verify, export', { timeout: 180_000 }, async (t) => {
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
    // A workspace with some history, made through the API.
    const signup = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: owner.email, password: owner.password, name: 'Ada', companyName: owner.company } });
    const token = signup.json().accessToken as string;
    const call = (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) =>
      platform!.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload });
    assert.equal((await call('POST', '/invitations', { email: 'grace@audit.test', role: 'member' })).statusCode, 201);
    assert.equal((await call('PATCH', '/workspaces/current', { settings: { timezone: 'Europe/Paris', 'branding.color': '#0f766e' } })).statusCode, 200);
    assert.equal((await call('POST', '/api-keys', { name: 'CI deploys', role: 'member' })).statusCode, 201);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${baseUrl}/login?next=%2Faudit`);
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();

    await t.test('the nav leads to the page; the events are listed newest first', async () => {
      assert.ok(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit trail' }).isVisible());
      const actions = page.locator('#events tbody tr td:nth-child(2)');
      await actions.first().waitFor();
      assert.deepEqual((await actions.allTextContents()).slice(0, 4), ['user.logged_in', 'api_key.created', 'workspace.updated', 'invitation.created']);
      await snap(page, '01-list');
    });

    await t.test('a filter narrows the list', async () => {
      await page.getByLabel('Action').fill('workspace.*');
      await page.locator('#events tbody tr').filter({ hasText: 'workspace.created' }).waitFor();
      const actions = await page.locator('#events tbody tr td:nth-child(2)').allTextContents();
      assert.deepEqual(actions, ['workspace.updated', 'workspace.created']);
      await snap(page, '02-filtered');
    });

    await t.test('an event opens with its diff', async () => {
      await page.getByRole('button', { name: 'workspace.updated' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      assert.match(await page.getByTestId('diff-before').textContent() ?? '', /"timezone": "UTC"/);
      assert.match(await page.getByTestId('diff-after').textContent() ?? '', /"timezone": "Europe\/Paris"/);
      await snap(page, '03-detail');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.getByLabel('Action').fill('');
    });

    await t.test('verify says the chain is intact', async () => {
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByText('The chain is intact.').waitFor();
      await snap(page, '04-verified');
    });

    await t.test('export CSV downloads the filtered events', async () => {
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).click();
      const file = await downloading;
      assert.match(file.suggestedFilename(), /^audit-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync((await file.path())!, 'utf8');
      assert.match(csv, /^id,seq,occurredAt,/);
      assert.match(csv, /invitation\.created/);
    });
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
