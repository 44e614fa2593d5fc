// The AI pages in real Chromium, against the fake provider (it speaks OpenAI's wire protocol):
// the empty state, add a provider, test it, add an alias, chat in the playground (streamed; the
// answer's tokens and cost from the ledger), then see the call on the analytics page's chart and
// the usage gauges. Screenshots go to artifacts/screenshots/ai-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn } from '../helpers/browser.ts';
import { startFakeLlm } from '../helpers/fake-llm.ts';
import type { FakeLlm } from '../helpers/fake-llm.ts';

const PASSWORD = 'a long browser passphrase';
const PROVIDER_KEY = 'sk-browser-provider-5d1c';

test('the AI pages in Chromium: provider, playground, analytics (the workspace\'s and the platform admin\'s)', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  let fake: FakeLlm | undefined;
  const pageErrors: string[] = [];
  const bodies: string[] = [];
  try {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const baseUrl = platform.baseUrl!;
    const hash = await platform.identity.passwords.hash(PASSWORD);
    const ids = await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-ai', 'Acme AI') returning id`);
      const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ('owner@ai.test', 'The owner', $1) returning id`, [hash]);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [w.rows[0].id, u.rows[0].id]);
      return { workspaceId: w.rows[0].id, userId: u.rows[0].id };
    });
    // The provider's key in the vault, and private addresses allowed (the fake listens on 127.0.0.1).
    const session = await platform.db.withWorkspace(ids.workspaceId, (tx) => platform!.identity.sessions.openSession(tx, { userId: ids.userId, workspaceId: ids.workspaceId, role: 'owner', isPlatformAdmin: false }));
    const headers = { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' };
    assert.equal((await fetch(`${baseUrl}/api/v1/secrets/FAKE_KEY`, { method: 'PUT', headers, body: JSON.stringify({ value: PROVIDER_KEY }) })).status, 201);
    assert.equal((await fetch(`${baseUrl}/api/v1/workspaces/current`, { method: 'PATCH', headers, body: JSON.stringify({ settings: { 'network.allow_private_addresses': true } }) })).status, 200);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', async (response) => {
      if (/\/(api\/)?v1\//.test(response.url())) bodies.push(await response.text().catch(() => ''));
    });
    await logIn(page, baseUrl, { email: 'owner@ai.test', password: PASSWORD }, { waitForNav: true });

    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Playground', exact: true }).click();
    await page.getByText('No model to call yet').waitFor();
    await nav.getByRole('link', { name: 'Model providers', exact: true }).click();
    await page.getByText('No model provider yet').waitFor();
    await snap(page, 'ai-providers-empty');

    await page.getByRole('button', { name: 'Add provider' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('fake');
    await dialog.getByLabel('Kind').selectOption('openai_compatible');
    await dialog.getByLabel('Base URL').fill(`${fake.url}/openai/v1`);
    await dialog.getByLabel('API key (a secret of the vault)').selectOption('FAKE_KEY');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: /fake/ });
    await row.getByRole('button', { name: 'Test' }).click();
    await row.getByText('works · 3 models').waitFor();

    await page.getByRole('button', { name: 'Add alias' }).click();
    const aliasDialog = page.getByRole('dialog');
    await aliasDialog.getByLabel('Alias').fill('fast');
    await aliasDialog.getByLabel('Model').fill('gpt-4o-mini');
    await aliasDialog.getByRole('button', { name: 'Save alias' }).click();
    await aliasDialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'fake/gpt-4o-mini' }).waitFor();
    await snap(page, 'ai-providers');

    await nav.getByRole('link', { name: 'Playground', exact: true }).click();
    const model = page.getByLabel('Model');
    await model.waitFor();
    assert.equal(await model.inputValue(), 'fast', 'aliases come first');
    await page.getByLabel('Message').fill('hello from the browser');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Echo: hello from the browser').waitFor();
    const usage = page.getByTestId('answer-usage');
    await usage.waitFor();
    const usageText = await usage.innerText();
    assert.match(usageText, /\d+ in · \d+ out tokens · \$0\.0000\d\d/, usageText);
    assert.match(usageText, /fake\/gpt-4o-mini/);
    await snap(page, 'ai-playground');

    await nav.getByRole('link', { name: 'Analytics', exact: true }).click();
    const figures = page.getByTestId('usage-figures');
    await figures.waitFor();
    assert.match(await figures.innerText(), /Calls\s*1\b/i);
    const chart = page.getByTestId('cost-chart');
    await chart.locator('canvas').waitFor();
    assert.match(await chart.getAttribute('aria-label') ?? '', /Cost per day: \$0\.0000\d\d over 30 days/);
    await page.getByTestId('provider-pie').locator('li', { hasText: 'fake' }).waitFor();
    await page.getByTestId('latency-table').getByText('fast').waitFor();
    await snap(page, 'ai-analytics', { fullPage: true });

    await nav.getByRole('link', { name: 'Usage & budgets', exact: true }).click();
    const gauge = page.getByTestId('quota-workspace');
    await gauge.waitFor();
    assert.match(await gauge.innerText(), /of 2,000,000/);
    await snap(page, 'ai-usage');

    // The platform admin's view across workspaces: the call shows under its workspace's name.
    const admin = { email: 'root@ai.test', password: 'operator password 1' };
    await platform.admin.createPlatformAdmin({ ...admin, name: 'Root' });
    const adminPage = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    adminPage.on('pageerror', (error) => pageErrors.push(error.message));
    adminPage.on('response', async (response) => {
      if (/\/(api\/)?v1\//.test(response.url())) bodies.push(await response.text().catch(() => ''));
    });
    await logIn(adminPage, baseUrl, admin, { next: '/admin/analytics' });
    await adminPage.getByRole('heading', { name: 'AI analytics, all workspaces' }).waitFor();
    const top = adminPage.locator('.card', { hasText: 'Top workspaces' });
    await top.getByRole('cell', { name: 'Acme AI' }).waitFor();
    assert.match(await adminPage.getByTestId('usage-figures').innerText(), /Calls\s*1\b/i);
    await snap(adminPage, 'ai-analytics-platform', { fullPage: true });

    // Models and prices: an operator provider (its key write-only), a new catalogue price.
    await adminPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models and prices', exact: true }).click();
    await adminPage.getByText('No operator provider').waitFor();
    await adminPage.getByRole('button', { name: 'Add provider' }).first().click();
    const opDialog = adminPage.getByRole('dialog');
    await opDialog.getByLabel('Name').fill('house');
    await opDialog.getByLabel('Kind').selectOption('openai_compatible');
    await opDialog.getByLabel('Base URL').fill(`${fake.url}/openai/v1`);
    await opDialog.getByLabel('API key').fill(PROVIDER_KEY);
    await opDialog.getByRole('button', { name: 'Add provider' }).click();
    await opDialog.waitFor({ state: 'detached' });
    const opRow = adminPage.getByTestId('platform-providers').getByRole('row', { name: /house/ });
    await opRow.getByText('set').waitFor();
    await opRow.getByRole('button', { name: 'Test' }).click();
    await opRow.getByText('works · 3 models').waitFor();
    await adminPage.getByLabel('Find a model').fill('gpt-4o-mini');
    const priceRow = adminPage.getByTestId('price-catalogue').getByRole('row', { name: /gpt-4o-mini/ }).first();
    await priceRow.getByRole('button', { name: 'New price' }).click();
    const priceDialog = adminPage.getByRole('dialog');
    await priceDialog.getByLabel('Input', { exact: true }).fill('1.25');
    await priceDialog.getByLabel('Output', { exact: true }).fill('5');
    await priceDialog.getByRole('button', { name: 'Save price' }).click();
    await priceDialog.waitFor({ state: 'detached' });
    await priceRow.getByText('$1.25').waitFor();
    assert.match(await priceRow.innerText(), /\$5\.00[\s\S]*admin/);
    await snap(adminPage, 'ai-admin-models', { fullPage: true });

    assert.deepEqual(pageErrors, []);
    for (const body of bodies) assert.ok(!body.includes(PROVIDER_KEY), 'the provider key never reaches the browser');
  } finally {
    await browser?.close();
    await platform?.stop();
    await fake?.close();
  }
});
