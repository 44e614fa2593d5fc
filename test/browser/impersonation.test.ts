// Impersonation in real Chromium: a platform admin starts from "All workspaces" with a reason,
// the banner shows on every page with the time left, Stop ends the impersonation session and
// brings the admin's own session back. Screenshots go to artifacts/screenshots/impersonation-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap as shoot } from '../helpers/browser.ts';
import { addMember, createUser, createWorkspace } from '../../src/modules/identity/identity.fixtures.ts';

const admin = { email: 'root@impersonation.test', password: 'correct horse battery', name: 'Rita Root' };
const REASON = 'Ticket #812: Grace cannot see her dashboard';

const snap = (page: Page, name: string) => shoot(page, `impersonation-${name}`);

test('impersonation in Chromium: start with a reason, banner on every page, stop restores the admin', { timeout: 180_000 }, async (t) => {
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
    await platform.admin.createPlatformAdmin({ email: admin.email, password: admin.password, name: admin.name });
    const globex = await createWorkspace(platform, { name: 'Globex', slug: 'globex' });
    const owner = await createUser(platform, { email: 'hank@globex.test', name: 'Hank Owner' });
    const grace = await createUser(platform, { email: 'grace@globex.test', name: 'Grace Member' });
    await addMember(platform, globex.id, owner.id, 'owner');
    await addMember(platform, globex.id, grace.id, 'member');

    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${baseUrl}/login?next=%2Fadmin%2Fworkspaces`);
    await page.getByLabel('Email', { exact: true }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'All workspaces' }).waitFor();
    const banner = page.locator('.impersonation-banner');

    await t.test('start from All workspaces with a reason; owners are listed last, marked', async () => {
      await page.getByRole('button', { name: 'Actions for Globex' }).click();
      await page.getByRole('menuitem', { name: 'Impersonate…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Member').waitFor();
      const options = await dialog.getByLabel('Member').locator('option').allTextContents();
      // Owners come last, marked: starting one needs a second admin (impersonation-procedure.test.ts).
      assert.deepEqual(options, ['Grace Member (grace@globex.test) — member', 'Hank Owner (hank@globex.test) — owner, needs approval']);
      await dialog.getByLabel('Reason').fill(REASON);
      await dialog.getByLabel('Duration').selectOption('30');
      await snap(page, '01-dialog');
      await dialog.getByRole('button', { name: 'Start impersonation' }).click();
      await banner.waitFor();
    });

    await t.test('the banner names the user and the time left, on every page', async () => {
      assert.match(await banner.textContent() ?? '', /Impersonation active — acting as Grace Member \(grace@globex\.test\) — (29:[0-5]\d|30:00) left/);
      assert.ok(await banner.getByRole('button', { name: 'Stop' }).isVisible());
      await page.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();
      await snap(page, '02-banner');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
      await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
      assert.ok(await banner.isVisible());
      // The server sees Grace, with Rita as the real actor.
      const { rows } = await platform!.db.withPlatform((tx) => tx.query<{ n: number }>(
        `select count(*)::int as n from sessions s join users a on a.id = s.impersonator_id
         where s.user_id = $1 and a.email = $2 and s.revoked_at is null`, [grace.id, admin.email]));
      assert.equal(rows[0].n, 1);
    });

    await t.test('Stop ends the impersonation session and restores the admin', async () => {
      await banner.getByRole('button', { name: 'Stop' }).click();
      await page.getByRole('heading', { level: 1, name: 'All workspaces' }).waitFor();
      await banner.waitFor({ state: 'detached' });
      assert.match(await page.locator('.user-menu-name').textContent() ?? '', /Rita Root/);
      await snap(page, '03-stopped');
      const { rows } = await platform!.db.withPlatform((tx) => tx.query<{ revoked_reason: string | null }>(
        'select revoked_reason from sessions where user_id = $1 and impersonator_id is not null', [grace.id]));
      assert.deepEqual(rows.map((r) => r.revoked_reason), ['impersonation_stopped']);
      // A reload keeps the admin's own session.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'All workspaces' }).waitFor();
      assert.equal(await banner.count(), 0);
    });

    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
