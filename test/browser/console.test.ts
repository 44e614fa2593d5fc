// The console in real Chromium against the real platform on a real port: sign up, log out, log
// in, invite a colleague through the dev mailbox, accept as a new user in another browser,
// create a project and switch to it and back, API keys, two-factor login with a recovery code,
// and the platform admin's workspaces page. Screenshots of each page go to
// artifacts/screenshots/ (gitignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { TOTP } from 'otpauth';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn as logInAs } from '../helpers/browser.ts';

const VIEWPORT = { width: 1280, height: 820 };

const owner = { name: 'Ada Lovelace', email: 'ada@acme.test', password: 'correct horse battery', company: 'Acme Agency' };
const colleague = { name: 'Grace Hopper', email: 'grace@acme.test', password: 'another long passphrase' };
const operator = { name: 'Olive Ops', email: 'ops@atrium.test', password: 'operator passphrase 1' };

/** Wait until a locator holds the text (playwright-core has no `expect`; this polls the same way). */
async function waitForText(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** Follow a link of the sidebar navigation. */
async function goTo(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
}

const logIn = (page: Page, baseUrl: string, user: { email: string; password: string }) => logInAs(page, baseUrl, user);

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.waitForURL(/\/login$/);
}

test('the console in Chromium: sign up, invite, accept, switch workspace', { timeout: 300_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium package to run the browser test`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();

  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const watch = (page: Page) => page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  const newPage = async (context: BrowserContext) => {
    const page = await context.newPage();
    watch(page);
    return page;
  };

  try {
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const baseUrl = platform.baseUrl!;
    browser = await launchChromium();
    const ownerContext = await browser.newContext({ viewport: VIEWPORT });
    await ownerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    const page = await newPage(ownerContext);
    let inviteLink = '';

    await t.test('sign up lands on the overview of the new workspace', async () => {
      await page.goto(`${baseUrl}/`);
      await page.waitForURL(/\/login$/); // no session: the console sends you to log in
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL(/\/signup$/);
      await snap(page, '01-signup');
      await page.getByLabel('Your name').fill(owner.name);
      await page.getByLabel('Work email').fill(owner.email);
      await page.getByLabel('Password', { exact: true }).fill(owner.password);
      await page.getByLabel('Company name').fill(owner.company);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { level: 1, name: owner.company }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      await waitForText(page.getByTestId('stat-members'), /^1$/);
      assert.equal(await page.getByTestId('current-workspace').textContent(), owner.company);
      // The memory the workspace got at signup: connected, empty, recall by words until a model is named.
      await waitForText(page.getByTestId('memory-status'), /Connected.*Built in.*project mem_[0-9a-f]+.*Recall by words.*0 of 10,000 memories/s);
      await snap(page, '02-overview');
    });

    await t.test('log out forgets the session; log in comes back to it', async () => {
      await logOut(page);
      assert.equal(await page.evaluate('localStorage.getItem("atrium.refreshToken")'), null);
      await page.goto(`${baseUrl}/members`);
      await page.waitForURL(/\/login\?next=%2Fmembers$/);
      await snap(page, '03-login');
      await page.getByLabel('Email', { exact: true }).fill(owner.email);
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await waitForText(page.getByRole('alert'), 'Email or password is incorrect');
      await page.getByLabel('Password', { exact: true }).fill(owner.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor(); // back where we were going
      await page.reload(); // the refresh token in localStorage survives a reload
      await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    });

    await t.test('invite a colleague', async () => {
      await page.getByLabel('Email', { exact: true }).fill(colleague.email);
      await page.getByRole('button', { name: 'Send invitation' }).click();
      const pending = page.locator('#invitations');
      await waitForText(pending.getByRole('row'), colleague.email);
      await snap(page, '04-members');
    });

    await t.test('API keys: created, shown once, usable, listed', async () => {
      await goTo(page, 'API keys');
      await page.getByText('No API keys yet').waitFor();
      await snap(page, '05-api-keys-empty');
      await page.getByRole('button', { name: 'Create API key' }).first().click();
      await page.getByLabel('Name').fill('CI deploys');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = (await page.getByTestId('new-api-key').textContent()) ?? '';
      assert.match(key, /^atr_/);
      await snap(page, '06-api-key-created');
      const me = await fetch(`${baseUrl}/api/v1/workspaces/current`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).name, owner.company);
      await page.getByRole('button', { name: 'I have stored it' }).click();
      const row = page.getByRole('row').filter({ hasText: 'CI deploys' });
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', new RegExp(key.slice(0, 16)));
      await snap(page, '07-api-keys');

      // Revoke, behind a confirmation: the key stops working at once.
      await row.getByRole('button', { name: 'Revoke' }).click();
      const confirm = page.getByRole('dialog', { name: /Revoke “CI deploys”/ });
      await confirm.getByRole('button', { name: 'Revoke key' }).click();
      await waitForText(page.getByRole('row').filter({ hasText: 'CI deploys' }), 'Revoked');
      const refused = await fetch(`${baseUrl}/api/v1/workspaces/current`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(refused.status, 401);
    });

    await t.test('the dev mailbox holds the invitation with a clickable link', async () => {
      await goTo(page, 'Dev mailbox');
      const invitation = page.getByRole('link').filter({ hasText: 'invited you' });
      await invitation.click();
      const link = page.locator('.mail-links').getByRole('link');
      inviteLink = (await link.getAttribute('href')) ?? '';
      assert.ok(inviteLink.startsWith(`${baseUrl}/invite/`), inviteLink);
      // The HTML body (sandboxed iframe) carries the same link, opening in a new tab.
      const inFrame = page.frameLocator('iframe.mail-frame').getByRole('link', { name: 'Accept the invitation' });
      assert.equal(await inFrame.getAttribute('href'), inviteLink);
      // The sandboxed mail frame renders out of process: a full-page capture can miss it.
      await snap(page, '08-mailbox', { fullPage: false });
    });

    await t.test('the colleague accepts in another browser and sees the workspace', async () => {
      const colleagueContext = await browser!.newContext({ viewport: VIEWPORT });
      const other = await newPage(colleagueContext);
      await other.goto(inviteLink);
      await other.getByRole('heading', { name: `Join ${owner.company}` }).waitFor();
      await snap(other, '09-invite-accept');
      await other.getByLabel('Your name').fill(colleague.name);
      await other.getByLabel('Choose a password').fill(colleague.password);
      await other.getByRole('button', { name: 'Create account and join' }).click();
      await other.getByRole('heading', { level: 1, name: owner.company }).waitFor();
      await waitForText(other.locator('.your-role'), 'Member');
      await waitForText(other.getByTestId('stat-members'), /^2$/);
      await snap(other, '10-colleague-overview');
      // A member reads the members but cannot invite or change roles: the buttons are not there.
      await goTo(other, 'Members');
      await waitForText(other.getByRole('row'), owner.email);
      assert.equal(await other.getByRole('button', { name: 'Send invitation' }).count(), 0);
      assert.equal(await other.getByRole('combobox').count(), 0);
      assert.equal(await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dev mailbox' }).count(), 0);
      await colleagueContext.close();

      // The inviter sees the new member and no pending invitation.
      await goTo(page, 'Members');
      await waitForText(page.locator('#members').getByRole('row'), colleague.email);
      await page.locator('#invitations').getByText('No pending invitations').waitFor();
      await page.getByRole('combobox', { name: `Role of ${colleague.name}` }).selectOption('admin');
      await waitForText(page.locator('.toasts'), `${colleague.name} is now admin`);
      await snap(page, '10b-members-after-accept');
    });

    await t.test('create a project, switch to it and back', async () => {
      await goTo(page, 'Overview');
      await page.getByRole('button', { name: /Switch workspace/ }).click();
      await page.getByRole('menuitem', { name: 'Create project or team' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create a project or team' });
      await dialog.getByLabel('Name').fill('Website redesign');
      await snap(page, '11-create-project');
      await dialog.getByRole('button', { name: 'Create project' }).click();
      await waitForText(page.getByTestId('current-workspace'), 'Website redesign');
      await page.getByRole('heading', { level: 1, name: 'Website redesign' }).waitFor();
      await waitForText(page.getByTestId('stat-members'), /^1$/); // a fresh workspace: only its creator
      await snap(page, '12-project-overview');

      await page.getByRole('button', { name: /Switch workspace/ }).click();
      const items = page.getByRole('menuitem');
      await waitForText(items, owner.company);
      await snap(page, '13-workspace-switcher');
      await items.filter({ hasText: owner.company }).click();
      await waitForText(page.getByTestId('current-workspace'), owner.company);
      await page.getByRole('heading', { level: 1, name: owner.company }).waitFor();
      await waitForText(page.getByTestId('stat-members'), /^2$/);
      await waitForText(page.locator('#children'), 'Website redesign');
      await snap(page, '14-back-to-organization');
      await page.emulateMedia({ colorScheme: 'dark' });
      await snap(page, '14b-overview-dark');
      await page.emulateMedia({ colorScheme: 'light' });
    });

    await t.test('settings: rename the workspace', async () => {
      await goTo(page, 'Settings');
      await page.getByLabel('Workspace name').fill('Acme Digital');
      await page.locator('#general').getByRole('button', { name: 'Save' }).click();
      await waitForText(page.getByTestId('current-workspace'), 'Acme Digital');
      await snap(page, '15-settings');
    });

    await t.test('settings: every workspace setting, edited by its shape and reset', async () => {
      const hosts = page.getByTestId('setting-agents.http_secret_hosts');
      await hosts.getByLabel('agents.http_secret_hosts').fill('api.hubspot.com\n*.stripe.com');
      await hosts.getByRole('button', { name: 'Save' }).click();
      await waitForText(page.getByTestId('setting-agents.http_secret_hosts'), 'Reset to default');
      // A value its schema refuses is explained, not stored.
      const embedding = page.getByTestId('setting-memory.embedding_model');
      await embedding.getByLabel('memory.embedding_model').fill('has a space');
      await embedding.getByRole('button', { name: 'Save' }).click();
      await waitForText(page.getByTestId('setting-memory.embedding_model'), /must match pattern|SETTING_INVALID|pattern/);
      await page.reload();
      assert.equal(await page.getByTestId('setting-agents.http_secret_hosts').getByLabel('agents.http_secret_hosts').inputValue(), 'api.hubspot.com\n*.stripe.com');
      await snap(page, '15b-workspace-settings');
      await page.getByTestId('setting-agents.http_secret_hosts').getByRole('button', { name: 'Reset to default' }).click();
      await page.getByTestId('setting-agents.http_secret_hosts').getByText('default').first().waitFor();
    });

    await t.test('two-factor: enroll, then log in with a recovery code', async () => {
      await goTo(page, 'Security');
      await waitForText(page.locator('#sessions').getByRole('row'), 'This device');
      await snap(page, '16-security');
      await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
      const secret = (await page.getByTestId('mfa-secret').textContent()) ?? '';
      assert.ok(await page.getByRole('img', { name: /QR code/ }).isVisible());
      await snap(page, '17-mfa-enroll');
      await page.getByLabel('Authentication code').fill(new TOTP({ secret }).generate());
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
      await codes.first().waitFor();
      assert.equal(await codes.count(), 10);
      const recoveryCode = ((await codes.first().textContent()) ?? '').trim();
      await snap(page, '18-mfa-recovery-codes');
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await waitForText(page.locator('#mfa .badge'), /^On$/);

      await logOut(page);
      await logIn(page, baseUrl, owner);
      await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByLabel('Recovery code').fill(recoveryCode);
      await snap(page, '19-login-mfa');
      await page.getByRole('button', { name: 'Verify and log in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Acme Digital' }).waitFor();
    });

    await t.test('a platform admin filters, suspends and restores workspaces', async () => {
      await platform!.admin.createPlatformAdmin({ email: operator.email, password: operator.password, name: operator.name });
      const adminContext = await browser!.newContext({ viewport: VIEWPORT });
      const admin = await newPage(adminContext);
      await logIn(admin, baseUrl, operator);
      await goTo(admin, 'Workspaces');
      const table = admin.locator('#admin-workspaces');
      await waitForText(table.getByRole('row'), 'Website redesign');
      assert.equal(await table.getByRole('row').count(), 4); // header + Acme Digital, its project, Operations
      await admin.getByLabel('Search workspaces').fill('website');
      await admin.waitForFunction('document.querySelectorAll("#admin-workspaces tbody tr").length === 1');
      await admin.getByRole('button', { name: 'Actions for Website redesign' }).click();
      await admin.getByRole('menuitem', { name: 'Suspend' }).click();
      await admin.getByLabel('Reason (optional)').fill('Paused by the client');
      await admin.getByRole('button', { name: 'Suspend workspace' }).click();
      await waitForText(table.getByRole('row').filter({ hasText: 'Website redesign' }), 'Suspended');
      await admin.getByLabel('Search workspaces').fill('');
      await admin.getByLabel('Status').selectOption('suspended');
      await admin.waitForFunction('document.querySelectorAll("#admin-workspaces tbody tr").length === 1');
      await snap(admin, '20-admin-workspaces');
      await admin.getByRole('button', { name: 'Actions for Website redesign' }).click();
      await admin.getByRole('menuitem', { name: 'Restore' }).click();
      await admin.getByRole('button', { name: 'Restore workspace' }).click();
      await table.getByText('No workspace matches').waitFor();

      await goTo(admin, 'Dev mailbox');
      await admin.getByRole('button', { name: 'All workspaces' }).click();
      await waitForText(admin.locator('.mail-list'), colleague.email); // another workspace's mail
      await admin.frameLocator('iframe.mail-frame').getByRole('link').first().waitFor();
      await snap(admin, '21-admin-mailbox', { fullPage: false });
      await adminContext.close();
    });

    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
