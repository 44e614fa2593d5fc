// The Roles & permissions page in real Chromium: empty state, create a role with the checklist and
// "only their own", assign it to a member, who then sees API keys in the navigation; give it to an
// API key (which then may list keys) and take it back; edit and delete; a viewer has no Roles item. Screenshots go to artifacts/screenshots/roles-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn as logInAs } from '../helpers/browser.ts';

const PASSWORD = 'a long browser passphrase';

const logIn = (page: Page, baseUrl: string, email: string) => logInAs(page, baseUrl, { email, password: PASSWORD }, { waitForNav: true });

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('the Roles & permissions page in Chromium', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
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
    const hash = await platform.identity.passwords.hash(PASSWORD);
    await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-roles', 'Acme Roles') returning id`);
      for (const [email, name, role] of [['owner@roles.test', 'Olga Owner', 'owner'], ['vic@roles.test', 'Vic Viewer', 'viewer']]) {
        const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ($1, $2, $3) returning id`, [email, name, hash]);
        await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      }
    });
    browser = await launchChromium();
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const viewerPage = await viewerContext.newPage();
    viewerPage.on('pageerror', (error) => pageErrors.push(error.message));
    await logIn(viewerPage, baseUrl, 'vic@roles.test');
    assert.equal(await nav(viewerPage).getByRole('link', { name: 'Roles & permissions' }).count(), 0, 'a viewer has no role.read');
    assert.equal(await nav(viewerPage).getByRole('link', { name: 'API keys', exact: true }).count(), 0);

    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await logIn(page, baseUrl, 'owner@roles.test');
    await nav(page).getByRole('link', { name: 'Roles & permissions', exact: true }).click();
    await page.getByText('No custom roles yet').waitFor();
    await page.getByRole('cell', { name: 'Owner', exact: true }).waitFor();
    await snap(page, 'roles-empty');

    await page.getByRole('button', { name: 'New role' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Key janitor');
    await dialog.getByRole('textbox', { name: 'Description' }).fill('Sees API keys, revokes the ones they created');
    await dialog.getByRole('checkbox', { name: /api_key\.read/ }).check();
    await dialog.getByRole('checkbox', { name: /api_key\.revoke/ }).check();
    await dialog.getByRole('checkbox', { name: 'only their own' }).check();
    await snap(page, 'roles-create-dialog');
    await dialog.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('cell', { name: /Key janitor/ }).waitFor();
    await page.getByText('api_key.revoke (own only)').waitFor();

    await page.getByRole('button', { name: 'Members' }).click();
    const assign = page.getByRole('dialog');
    await assign.getByRole('checkbox', { name: /Vic Viewer/ }).click();
    await page.getByText('Vic Viewer: roles updated').waitFor();
    await snap(page, 'roles-assign');
    await assign.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row', { name: /Key janitor/ }).getByRole('cell', { name: '1', exact: true }).waitFor();
    await snap(page, 'roles-list');

    // The viewer's console now shows API keys (from /auth/me's union of permissions).
    await viewerPage.reload();
    await nav(viewerPage).getByRole('link', { name: 'API keys', exact: true }).waitFor();

    // An API key with the custom role: a viewer key that may also list API keys.
    await nav(page).getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByRole('button', { name: 'Create API key' }).first().click();
    const create = page.getByRole('dialog');
    await create.getByRole('textbox', { name: 'Name' }).fill('Inventory script');
    await create.getByRole('combobox', { name: 'Role' }).selectOption('viewer');
    await create.getByRole('checkbox', { name: /Key janitor/ }).check();
    await snap(page, 'roles-api-key-create');
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-api-key').textContent())!.trim();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const keyRow = page.getByRole('row', { name: /Inventory script/ });
    await keyRow.getByText('Key janitor').waitFor();
    await snap(page, 'roles-api-key-list');
    const listAsKey = () => fetch(`${baseUrl}/api/v1/api-keys`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status);
    assert.equal(await listAsKey(), 200, 'the custom role adds api_key.read to the viewer key');
    await keyRow.getByRole('button', { name: 'Roles' }).click();
    const keyRoles = page.getByRole('dialog');
    await keyRoles.getByRole('checkbox', { name: /Key janitor/ }).uncheck();
    await keyRoles.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText('Inventory script: roles updated').waitFor();
    await keyRow.getByText('Key janitor').waitFor({ state: 'detached' });
    assert.equal(await listAsKey(), 403, 'and nothing once removed');
    await nav(page).getByRole('link', { name: 'Roles & permissions', exact: true }).click();

    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog');
    assert.equal(await edit.getByRole('checkbox', { name: 'only their own' }).isChecked(), true);
    await edit.getByRole('textbox', { name: 'Name' }).fill('Key keeper');
    await edit.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('cell', { name: /Key keeper/ }).waitFor();

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete role' }).click();
    await page.getByText('No custom roles yet').waitFor();
    await viewerPage.reload();
    await nav(viewerPage).waitFor();
    assert.equal(await nav(viewerPage).getByRole('link', { name: 'API keys', exact: true }).count(), 0, 'the role is gone');
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
