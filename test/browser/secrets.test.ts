// The Secrets page in real Chromium: empty state, add a secret through the password field, the
// value never comes back to the page, replace, delete with confirmation; a member sees the list
// without write actions. Screenshots go to artifacts/screenshots/secrets-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn as logInAs } from '../helpers/browser.ts';

const PASSWORD = 'a long browser passphrase';
const VALUE = 'sk-browser-0f3a9c27d1e84b56';
const NEW_VALUE = 'sk-browser-replaced-77aa01';

const logIn = (page: Page, baseUrl: string, email: string) => logInAs(page, baseUrl, { email, password: PASSWORD }, { waitForNav: true });

test('the Secrets page in Chromium', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const bodies: string[] = [];
  try {
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const baseUrl = platform.baseUrl!;
    const hash = await platform.identity.passwords.hash(PASSWORD);
    await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-vault', 'Acme Vault') returning id`);
      for (const [email, role] of [['owner@vault.test', 'owner'], ['member@vault.test', 'member']]) {
        const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ($1, $2, $3) returning id`, [email, `The ${role}`, hash]);
        await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      }
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', async (response) => {
      if (response.url().includes('/api/v1/')) bodies.push(await response.text().catch(() => ''));
    });

    await logIn(page, baseUrl, 'owner@vault.test');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets', exact: true }).click();
    await page.getByText('No secrets yet').waitFor();
    await page.getByText('write-only').first().waitFor();
    await snap(page, 'secrets-empty');

    await page.getByRole('button', { name: 'Add secret' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('OPENAI_API_KEY');
    const valueField = dialog.getByLabel('Value');
    assert.equal(await valueField.getAttribute('type'), 'password');
    await valueField.fill(VALUE);
    await dialog.getByLabel('Description').fill('Support assistant');
    await snap(page, 'secrets-add-dialog');
    await dialog.getByRole('button', { name: 'Add secret' }).click();
    await page.getByRole('cell', { name: /OPENAI_API_KEY/ }).waitFor();
    await page.getByText('workspace/acme-vault/OPENAI_API_KEY').waitFor();
    await page.getByText('Never used').waitFor();
    await snap(page, 'secrets-list');

    // Adding the same name again is stopped in the form (PUT would replace it).
    await page.getByRole('button', { name: 'Add secret' }).first().click();
    await page.getByRole('dialog').getByLabel('Name').fill('OPENAI_API_KEY');
    await page.getByText('A secret with this name exists').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // Used by a server-side consumer: "last used" follows.
    const ws = (await platform.db.withPlatform((tx) => tx.query<{ id: string }>(`select id from workspaces where slug = 'acme-vault'`))).rows[0].id;
    assert.equal(await platform.db.withWorkspace(ws, (tx) => platform!.secrets.resolve(tx, ws, 'OPENAI_API_KEY')), VALUE);

    await page.getByRole('button', { name: 'Replace value' }).click();
    const replace = page.getByRole('dialog');
    assert.equal(await replace.getByLabel('Value').inputValue(), '', 'the old value is never shown');
    await replace.getByLabel('Value').fill(NEW_VALUE);
    await replace.getByRole('button', { name: 'Replace value' }).click();
    await page.getByText('OPENAI_API_KEY updated').waitFor();
    await page.reload();
    await page.getByRole('cell', { name: /OPENAI_API_KEY/ }).waitFor();
    assert.ok(!(await page.getByText('Never used').isVisible()), 'last used is shown after a resolve');
    const html = await page.content();
    assert.ok(!html.includes(VALUE) && !html.includes(NEW_VALUE), 'a value reached the page');

    // A member reads the list but has no write action.
    const memberContext = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const memberPage = await memberContext.newPage();
    memberPage.on('pageerror', (error) => pageErrors.push(error.message));
    await logIn(memberPage, baseUrl, 'member@vault.test');
    await memberPage.goto(`${baseUrl}/secrets`);
    await memberPage.getByRole('cell', { name: /OPENAI_API_KEY/ }).waitFor();
    assert.equal(await memberPage.getByRole('button', { name: 'Add secret' }).count(), 0);
    assert.equal(await memberPage.getByRole('button', { name: 'Delete' }).count(), 0);
    await snap(memberPage, 'secrets-member');

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByText('cannot be undone').waitFor();
    await page.getByRole('button', { name: 'Delete secret' }).click();
    await page.getByText('No secrets yet').waitFor();

    assert.deepEqual(pageErrors, []);
    assert.ok(bodies.length > 3);
    assert.ok(!bodies.some((b) => b.includes(VALUE) || b.includes(NEW_VALUE)), 'an API response held a value');
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
