// Workflows in real Chromium, with the job engine running: create a workflow, add a delay and a
// transform step in the step editor, give it an input schema, deploy, run it from the form
// generated from the schema, and watch the run complete on its page (live status and timeline);
// its build, then a second version deployed and the diff of the two builds.
// A viewer sees the workflow without the write actions. Screenshots: artifacts/screenshots/workflows-*.png.
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

test('workflows in Chromium: create, edit steps, deploy, run, watch it complete', { timeout: 180_000 }, async (t) => {
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
    platform.jobs.start();
    const baseUrl = platform.baseUrl!;
    const hash = await platform.identity.passwords.hash(PASSWORD);
    await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-flows', 'Acme Flows') returning id`);
      for (const [email, role] of [['owner@flows.test', 'owner'], ['viewer@flows.test', 'viewer']]) {
        const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ($1, $2, $3) returning id`, [email, `The ${role}`, hash]);
        await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      }
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await logIn(page, baseUrl, 'owner@flows.test');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows', exact: true }).click();
    await page.getByText('No workflows yet').waitFor();
    await snap(page, 'workflows-empty');

    await page.getByRole('button', { name: 'New workflow' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Welcome mail');
    await dialog.getByLabel('Description').fill('Greets a new client');
    await dialog.getByRole('button', { name: 'Create workflow' }).click();
    await page.getByRole('heading', { name: /Welcome mail/ }).waitFor();
    await page.getByText('No steps yet').waitFor();

    // Steps: a delay, then a transform.
    await page.getByLabel('Step type to add').selectOption('delay');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByTestId('step-0').getByLabel('Wait (ms)').fill('1200');
    await page.getByLabel('Step type to add').selectOption('transform');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByTestId('step-1').getByLabel('Step id').fill('greet');
    await page.getByTestId('step-1').getByLabel('Expression').fill('"Hello " & input.name & " (" & input.plan & ")"');
    await page.getByLabel('Version note').fill('delay and greeting');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('Saved as version 2').waitFor();

    // An input schema: the Run form is generated from it.
    await page.getByLabel('Input JSON schema').fill(JSON.stringify({
      type: 'object', properties: { name: { type: 'string' }, plan: { type: 'string', enum: ['basic', 'pro'] } }, required: ['name', 'plan'],
    }));
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved').waitFor();

    await page.getByRole('button', { name: 'Deploy v2' }).click();
    await page.getByText('Version 2 deployed').waitFor();
    await snap(page, 'workflows-editor');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.getByRole('dialog');
    await run.getByLabel('name').fill('Ada');
    await run.getByLabel('plan').selectOption('pro');
    await snap(page, 'workflows-run-dialog');
    await run.getByRole('button', { name: 'Run', exact: true }).click();

    // The run's page follows it live until it completes.
    await page.getByRole('heading', { name: /Run of Welcome mail/ }).waitFor();
    await page.locator('[data-testid="execution-status"][data-status="completed"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('execution-output').getByText('Hello Ada (pro)').waitFor();
    const timeline = page.getByTestId('step-timeline');
    assert.equal(await timeline.locator('li').count(), 2);
    await timeline.getByText('greet').waitFor();
    await snap(page, 'workflows-run-completed');

    // Back on the workflow: the run is listed as completed, and the stats count it.
    await page.getByRole('link', { name: 'Back to the workflow' }).click();
    await page.getByTestId('runs-table').locator('[data-status="completed"]').waitFor();
    await page.getByText('100%').waitFor();
    await snap(page, 'workflows-detail');

    // Builds: the deploy compiled v2; a third version deployed makes a second build, and its diff
    // shows the changed expression.
    const builds = page.getByTestId('builds-table');
    await builds.getByText('succeeded').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('step-1').getByLabel('Expression').fill('"Welcome " & input.name');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('Saved as version 3').waitFor();
    await page.getByRole('button', { name: 'Deploy v3' }).click();
    await page.getByText('Version 3 deployed').waitFor();
    await builds.getByRole('cell', { name: 'v3' }).waitFor();
    for (let i = 0; i < 300 && (await builds.getByText('succeeded').count()) < 2; i++) await page.waitForTimeout(100);
    assert.equal(await builds.getByText('succeeded').count(), 2, 'two builds succeeded');
    await builds.getByRole('button', { name: 'Diff' }).first().click();
    const diff = page.getByLabel('Diff against v2');
    // The code holds the expression as a JSON string: its quotes escaped.
    await diff.locator('.diff-add', { hasText: '"expression": "\\"Welcome \\" & input.name"' }).waitFor();
    await diff.locator('.diff-del', { hasText: '"expression": "\\"Hello \\" & input.name' }).waitFor();
    await page.locator('#builds').scrollIntoViewIfNeeded();
    await snap(page, 'workflows-builds');

    await page.getByRole('link', { name: 'All workflows' }).click();
    await page.getByRole('cell', { name: /Welcome mail/ }).waitFor();
    await snap(page, 'workflows-list');

    // A viewer sees it, without Run, Deploy, Archive or the step editor's save.
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewerPage = await viewerContext.newPage();
    viewerPage.on('pageerror', (error) => pageErrors.push(error.message));
    await logIn(viewerPage, baseUrl, 'viewer@flows.test');
    await viewerPage.goto(`${baseUrl}/workflows`);
    await viewerPage.getByRole('cell', { name: /Welcome mail/ }).click();
    await viewerPage.getByRole('heading', { name: /Welcome mail/ }).waitFor();
    for (const name of ['Run', 'Archive', 'Save as new version', 'New workflow']) {
      assert.equal(await viewerPage.getByRole('button', { name, exact: true }).count(), 0, `a viewer sees ${name}`);
    }
    await snap(viewerPage, 'workflows-viewer');

    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.jobs.stop();
    await platform?.stop();
  }
});
