// The owner procedure and the user's opt-out in real Chromium, with two platform admins in two
// browser contexts: Rita tries to impersonate Globex's owner, is told she needs an approval and
// asks; Sam approves on "Impersonation requests"; Rita starts (once from the dialog, which follows
// the request by itself, once from the requests page, where approving her own request is refused);
// then Grace turns support access off on her Security page and Rita's attempt is refused.
// Screenshots go to artifacts/screenshots/impersonation-procedure-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap as shoot, logIn as logInAs } from '../helpers/browser.ts';
import { PASSWORD, addMember, createUser, createWorkspace } from '../../src/modules/identity/identity.fixtures.ts';

const rita = { email: 'rita@ops.test', password: 'first admin password', name: 'Rita Root' };
const sam = { email: 'sam@ops.test', password: 'second admin password', name: 'Sam Second' };
const REASON = 'Ticket #907: Hank cannot change the billing plan';
const REASON_2 = 'Ticket #911: Hank sees an empty audit trail';
const OWNER_OPTION = 'Hank Owner (hank@globex.test) — owner, needs approval';
const GRACE_OPTION = 'Grace Member (grace@globex.test) — member';

const snap = (page: Page, name: string) => shoot(page, `impersonation-procedure-${name}`);

async function logIn(page: Page, baseUrl: string, who: { email: string; password: string }, next: string, heading: string): Promise<void> {
  await logInAs(page, baseUrl, who, { next });
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** All workspaces → Globex → Impersonate…, a member and a reason, then "Start impersonation". */
async function tryToImpersonate(page: Page, option: string, reason: string) {
  await page.getByRole('button', { name: 'Actions for Globex' }).click();
  await page.getByRole('menuitem', { name: 'Impersonate…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Member').waitFor();
  await dialog.getByLabel('Member').selectOption({ label: option });
  await dialog.getByLabel('Reason').fill(reason);
  await dialog.getByLabel('Duration').selectOption('15');
  await dialog.getByRole('button', { name: 'Start impersonation' }).click();
  return dialog;
}

test('impersonation procedure in Chromium: ask, a second admin approves, start; the user\'s opt-out is honoured', { timeout: 240_000 }, async (t) => {
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
    const db = platform.db;
    const first = await platform.admin.createPlatformAdmin(rita);
    const second = await platform.admin.createPlatformAdmin(sam);
    const globex = await createWorkspace(platform, { name: 'Globex', slug: 'globex' });
    const hank = await createUser(platform, { email: 'hank@globex.test', name: 'Hank Owner' });
    const grace = await createUser(platform, { email: 'grace@globex.test', name: 'Grace Member' });
    await addMember(platform, globex.id, hank.id, 'owner');
    await addMember(platform, globex.id, grace.id, 'member');

    browser = await launchChromium();
    const open = async () => {
      const page = await (await browser!.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    };
    const ritaPage = await open();
    const samPage = await open();
    await logIn(ritaPage, baseUrl, rita, '/admin/workspaces', 'All workspaces');
    await logIn(samPage, baseUrl, sam, '/admin/impersonation', 'Impersonation requests');
    const banner = ritaPage.locator('.impersonation-banner');
    const requestRows = async () => (await db.withPlatform((tx) => tx.query<{ status: string; requested_by: string; approved_by: string | null; target_user_id: string; reason: string }>(
      'select status, requested_by, approved_by, target_user_id, reason from impersonation_requests order by created_at'))).rows;

    await t.test('the nav has "Impersonation requests" under Platform admin; empty state at first', async () => {
      const nav = samPage.getByRole('navigation', { name: 'Main' });
      assert.ok(await nav.getByRole('link', { name: 'Impersonation requests' }).isVisible());
      await samPage.getByText('No open requests').waitFor();
    });

    await t.test('an owner is offered, the API asks for an approval, and the dialog offers to ask for it', async () => {
      await ritaPage.getByRole('button', { name: 'Actions for Globex' }).click();
      await ritaPage.getByRole('menuitem', { name: 'Impersonate…' }).click();
      const dialog = ritaPage.getByRole('dialog');
      await dialog.getByLabel('Member').waitFor();
      assert.deepEqual(await dialog.getByLabel('Member').locator('option').allTextContents(), [GRACE_OPTION, OWNER_OPTION]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      const again = await tryToImpersonate(ritaPage, OWNER_OPTION, REASON);
      await again.getByText('Hank Owner is an owner of Globex.').waitFor();
      assert.equal(await banner.count(), 0);
      await snap(ritaPage, '01-approval-required');
      await again.getByRole('button', { name: 'Ask another platform admin to approve' }).click();
      await again.getByText('Waiting for approval', { exact: true }).waitFor();
      assert.ok(await again.getByRole('button', { name: 'Waiting for approval…' }).isDisabled());
      await snap(ritaPage, '02-request-pending');
      const rows = await requestRows();
      assert.deepEqual(rows, [{ status: 'pending', requested_by: first.user.id, approved_by: null, target_user_id: hank.id, reason: REASON }]);
    });

    await t.test('the second admin sees who asks, whom, where and why, and approves', async () => {
      const row = samPage.locator('tr', { hasText: REASON });
      // Names and the workspace arrive with their own lookups: wait for them before reading cells.
      for (const text of ['Rita Root', 'Hank Owner', 'Globex']) await row.getByText(text).first().waitFor();
      const cells = (await row.locator('td').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
      assert.equal(cells[0], 'Rita Root rita@ops.test');
      assert.equal(cells[1], 'Hank Owner hank@globex.test');
      assert.equal(cells[2], 'Globex');
      assert.equal(cells[3], REASON);
      assert.equal(cells[4], 'just now');
      assert.equal(cells[5], 'Waiting for approval');
      await snap(samPage, '03-requests-pending');
      await row.getByRole('button', { name: 'Approve the request of Rita Root to impersonate Hank Owner' }).click();
      await row.getByText('Approved', { exact: true }).waitFor();
      // The approver's name arrives with its own lookup: wait for it (fails if it never comes).
      await row.locator('td').nth(5).getByText(/by Sam Second, start before \d\d:\d\d/).waitFor();
      // Only the requester can start: Sam has no Start button on Rita's request.
      assert.equal(await row.getByRole('button', { name: 'Start impersonation' }).count(), 0);
      await snap(samPage, '04-approved');
      assert.equal((await requestRows())[0].approved_by, second.user.id);
    });

    await t.test('the requester\'s dialog follows the request and starts once approved', async () => {
      const dialog = ritaPage.getByRole('dialog');
      await dialog.getByText('Approved by Sam Second.', { exact: false }).waitFor({ timeout: 20_000 });
      await snap(ritaPage, '05-dialog-approved');
      await dialog.getByRole('button', { name: 'Start impersonation' }).click();
      await banner.waitFor();
      assert.match(await banner.textContent() ?? '', /Impersonation active — acting as Hank Owner \(hank@globex\.test\) — (14:[0-5]\d|15:00) left/);
      await ritaPage.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();
      await snap(ritaPage, '06-banner');
      const rows = await requestRows();
      assert.deepEqual(rows.map((r) => r.status), ['used']);
      const { rows: sessions } = await db.withPlatform((tx) => tx.query<{ n: number }>(
        'select count(*)::int as n from sessions where user_id = $1 and impersonator_id = $2 and revoked_at is null', [hank.id, first.user.id]));
      assert.equal(sessions[0].n, 1);
    });

    await t.test('Stop ends it; the spent approval no longer starts anything', async () => {
      await banner.getByRole('button', { name: 'Stop' }).click();
      await ritaPage.getByRole('heading', { level: 1, name: 'All workspaces' }).waitFor();
      await banner.waitFor({ state: 'detached' });
      const dialog = await tryToImpersonate(ritaPage, OWNER_OPTION, REASON_2);
      await dialog.getByRole('button', { name: 'Ask another platform admin to approve' }).waitFor();
      await dialog.getByRole('button', { name: 'Ask another platform admin to approve' }).click();
      await dialog.getByText('Waiting for approval', { exact: true }).waitFor();
    });

    await t.test('on the requests page, approving one\'s own request is refused with the server\'s reason', async () => {
      await ritaPage.getByRole('dialog').getByRole('link', { name: 'Impersonation requests' }).click();
      await ritaPage.getByRole('heading', { level: 1, name: 'Impersonation requests' }).waitFor();
      const row = ritaPage.locator('tr', { hasText: REASON_2 });
      await row.getByText('Rita Root').waitFor();
      assert.match(await row.locator('td').first().innerText(), /Rita Root \(you\)/);
      await row.getByRole('button', { name: /^Approve the request of Rita Root/ }).click();
      const alert = ritaPage.locator('#impersonation-requests .alert-error');
      await alert.waitFor();
      assert.equal((await alert.innerText()).trim(), 'A second platform admin must approve; you cannot approve your own request');
      assert.equal(await row.getByText('Waiting for approval', { exact: true }).count(), 1);
      await snap(ritaPage, '07-self-approval-refused');
    });

    await t.test('once the second admin approves, the requester starts from the requests page', async () => {
      const samRow = samPage.locator('tr', { hasText: REASON_2 });
      await samRow.getByRole('button', { name: 'Approve the request of Rita Root to impersonate Hank Owner' }).click();
      await samRow.getByText('Approved', { exact: true }).waitFor();
      const row = ritaPage.locator('tr', { hasText: REASON_2 });
      await row.getByRole('button', { name: 'Start impersonation' }).waitFor({ timeout: 20_000 });
      // The refusal was about a request that is no longer waiting: it is gone.
      assert.equal(await ritaPage.locator('#impersonation-requests .alert-error').count(), 0);
      await row.getByRole('button', { name: 'Start impersonation' }).click();
      const confirm = ritaPage.getByRole('dialog');
      await confirm.getByRole('heading', { name: 'Impersonate Hank Owner?' }).waitFor();
      await confirm.getByLabel('Duration').selectOption('15');
      await snap(ritaPage, '08-start-from-page');
      await confirm.getByRole('button', { name: 'Start impersonation' }).click();
      await banner.waitFor();
      assert.match(await banner.textContent() ?? '', /acting as Hank Owner/);
      assert.deepEqual((await requestRows()).map((r) => r.status), ['used', 'used']);
      await banner.getByRole('button', { name: 'Stop' }).click();
      await ritaPage.getByRole('heading', { level: 1, name: 'All workspaces' }).waitFor();
      await banner.waitFor({ state: 'detached' });
    });

    await t.test('a user turns support access off on Security; the admin\'s attempt is then refused', async () => {
      const gracePage = await open();
      await logIn(gracePage, baseUrl, { email: grace.email, password: PASSWORD }, '/security', 'Security');
      const card = gracePage.locator('#support-access');
      const toggle = card.getByRole('switch', { name: 'Allow platform admins to impersonate me' });
      await toggle.waitFor();
      assert.equal(await toggle.isChecked(), true);
      assert.match(await card.innerText(), /recorded in the audit trail/);
      await toggle.click();
      await gracePage.getByText('Nobody can impersonate you now').waitFor();
      assert.equal(await toggle.isChecked(), false);
      await card.getByText('Not allowed', { exact: true }).waitFor();
      await snap(gracePage, '09-support-access-off');
      const { rows } = await db.withPlatform((tx) => tx.query<{ allow_impersonation: boolean }>('select allow_impersonation from users where id = $1', [grace.id]));
      assert.equal(rows[0].allow_impersonation, false);
      const { rows: audit } = await db.withPlatform((tx) => tx.query<{ n: number }>(
        `select count(*)::int as n from audit_events where workspace_id = $1 and action = 'user.preferences_updated' and target_id = $2`, [globex.id, grace.id]));
      assert.equal(audit[0].n, 1);
      // A reload shows the stored value.
      await gracePage.reload();
      await card.getByRole('switch', { name: 'Allow platform admins to impersonate me' }).waitFor();
      assert.equal(await card.getByRole('switch', { name: 'Allow platform admins to impersonate me' }).isChecked(), false);

      const dialog = await tryToImpersonate(ritaPage, GRACE_OPTION, 'Ticket #915: Grace reports a broken webhook');
      const alert = dialog.locator('.alert-error');
      await alert.waitFor();
      assert.equal((await alert.innerText()).trim(), 'This user does not allow impersonation');
      assert.equal(await banner.count(), 0);
      await snap(ritaPage, '10-opted-out-refused');
      const { rows: open2 } = await db.withPlatform((tx) => tx.query<{ n: number }>('select count(*)::int as n from sessions where user_id = $1 and impersonator_id is not null', [grace.id]));
      assert.equal(open2[0].n, 0);
    });

    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
