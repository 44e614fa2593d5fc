// The Webhooks page in real Chromium: empty states, create an inbound endpoint (URL and secret
// shown once), a signed delivery shows in its log; create an event subscription, send a test
// ping to a local receiver and see the delivery with its attempt; a member sees no actions.
// Screenshots go to artifacts/screenshots/webhooks-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn as logInAs } from '../helpers/browser.ts';

const PASSWORD = 'a long browser passphrase';

const logIn = (page: Page, baseUrl: string, email: string) => logInAs(page, baseUrl, { email, password: PASSWORD }, { waitForNav: true });

test('the Webhooks page in Chromium', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('pong'));
  });
  try {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    const receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    platform.jobs.start();
    const baseUrl = platform.baseUrl!;
    const hash = await platform.identity.passwords.hash(PASSWORD);
    await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-hooks', 'Acme Hooks') returning id`);
      await tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'network.allow_private_addresses', 'true')`, [w.rows[0].id]);
      for (const [email, role] of [['owner@hooks.test', 'owner'], ['member@hooks.test', 'member']]) {
        const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ($1, $2, $3) returning id`, [email, `The ${role}`, hash]);
        await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      }
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await logIn(page, baseUrl, 'owner@hooks.test');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByText('No inbound endpoint yet').waitFor();
    await page.getByText('No event subscription yet').waitFor();
    await snap(page, 'webhooks-empty');

    // Inbound endpoint: the secret is shown once.
    await page.getByRole('button', { name: 'New endpoint' }).first().click();
    let dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Stripe payments');
    await dialog.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = (await page.getByTestId('signing-secret').textContent()) ?? '';
    const url = (await page.getByTestId('endpoint-url').textContent()) ?? '';
    assert.match(secret, /^whsec_/);
    assert.match(url, /\/api\/v1\/hooks\/[0-9a-f-]{36}$/);
    await snap(page, 'webhooks-endpoint-secret');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone once the dialog is closed');

    // A signed delivery arrives and shows in the log.
    const body = JSON.stringify({ id: 'evt_1', amount: 4200 });
    const at = new Date();
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('evt_1', at, body) } });
    assert.equal(res.status, 202);
    await page.getByRole('button', { name: 'Deliveries' }).first().click();
    await page.getByRole('dialog').getByText('evt_1').waitFor();
    await page.getByRole('dialog').getByText('202 accepted').waitFor();
    await snap(page, 'webhooks-endpoint-deliveries');
    await page.keyboard.press('Escape');

    // Event subscription: create, send test, see the attempt.
    await page.getByRole('button', { name: 'New subscription' }).first().click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('URL').fill(receiverUrl);
    await dialog.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByTestId('signing-secret').waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Send test' }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByText('ping').waitFor();
    await dialog.getByText('ping').click();
    await dialog.getByText('Succeeded').first().waitFor({ timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Redeliver' }).waitFor();
    await snap(page, 'webhooks-subscription-deliveries');
    await page.keyboard.press('Escape');
    await snap(page, 'webhooks-list');

    // A member reads, without actions.
    const memberPage = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await logIn(memberPage, baseUrl, 'member@hooks.test');
    await memberPage.goto(`${baseUrl}/webhooks`);
    await memberPage.getByText('Stripe payments').waitFor();
    assert.equal(await memberPage.getByRole('button', { name: 'New endpoint' }).count(), 0);
    assert.equal(await memberPage.getByRole('button', { name: 'Send test' }).count(), 0);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    if (platform) {
      await platform.jobs.stop();
      await platform.stop();
    }
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
