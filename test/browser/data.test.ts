// The Data page in real Chromium: the empty state, a table made in the table editor, rows added
// through the form (the generated GraphQL API underneath), a cell edited in place, a filter, the
// GraphiQL answering a query of those rows (its docs explorer reading the schema), the migrations tab; a viewer sees rows with no
// write actions. Screenshots go to artifacts/screenshots/data-*.png.
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

test('the Data page in Chromium', { timeout: 180_000 }, async (t) => {
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
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-data', 'Acme Data') returning id`);
      for (const [email, role] of [['owner@data.test', 'owner'], ['viewer@data.test', 'viewer']]) {
        const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ($1, $2, $3) returning id`, [email, `The ${role}`, hash]);
        await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      }
    });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await logIn(page, baseUrl, 'owner@data.test');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByText('No tables yet').waitFor();
    await snap(page, 'data-empty');

    // The table editor: name, the two suggested columns, one more (an integer).
    await page.getByRole('button', { name: 'New table' }).first().click();
    const editor = page.getByRole('dialog');
    await editor.getByLabel('Table name').fill('clients');
    await editor.getByRole('button', { name: 'Add column' }).click();
    await editor.getByLabel('Column name').nth(2).fill('seats');
    await editor.getByLabel('Column type').nth(2).selectOption('integer');
    await snap(page, 'data-table-editor');
    await editor.getByRole('button', { name: 'Create table' }).click();
    await page.getByText('No rows yet').waitFor();

    // Rows through the form (createClient underneath).
    for (const [name, seats] of [['Acme Dental', '12'], ['Borealis Studio', '4'], ['Cobalt Legal', '30']]) {
      await page.getByRole('button', { name: 'Add row' }).click();
      const form = page.getByRole('dialog');
      await form.getByLabel('name *').fill(name);
      await form.getByLabel('seats').fill(seats);
      await form.getByRole('button', { name: 'Add row' }).click();
      await page.getByRole('cell', { name }).waitFor();
    }
    await page.getByText('Rows 1–3 of 3').waitFor();
    // A refused value is explained, nothing is added.
    await page.getByRole('button', { name: 'Add row' }).click();
    await page.getByRole('dialog').getByLabel('name *').fill('Dup');
    await page.getByRole('dialog').getByLabel('seats').fill('many');
    await page.getByRole('dialog').getByRole('button', { name: 'Add row' }).click();
    await page.getByRole('dialog').getByText('seats: not a number').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // Edit a cell in place.
    await page.getByRole('button', { name: '4', exact: true }).click();
    const cell = page.getByLabel('Edit seats');
    await cell.fill('5');
    await cell.press('Enter');
    await page.getByRole('button', { name: '5', exact: true }).waitFor();
    // Sort by seats, descending: Cobalt first.
    await page.getByRole('button', { name: 'seats' }).click();
    await page.getByRole('button', { name: 'seats ▲' }).click();
    await page.getByRole('button', { name: 'seats ▼' }).waitFor();
    const firstRow = page.locator('table.data-grid tbody tr').first();
    await firstRow.getByText('Cobalt Legal').waitFor();
    // Filter: contains "dent".
    await page.getByLabel('Column').selectOption('name');
    await page.getByLabel('Filter value').fill('dent');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Rows 1–1 of 1').waitFor();
    await snap(page, 'data-rows');

    // GraphiQL answers a query of those rows: the user's token is included, the schema is introspected
    // (the docs explorer lists the table's type), the query runs from the editor.
    await page.getByRole('tab', { name: 'GraphQL' }).click();
    const graphiql = page.getByTestId('graphiql');
    const queryEditor = graphiql.locator('.graphiql-query-editor .monaco-editor').first();
    await queryEditor.waitFor();
    await queryEditor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('{ clients(orderBy: [SEATS_ASC]) { totalCount nodes { name seats } } }');
    await graphiql.getByRole('button', { name: /Execute query/ }).click();
    const response = graphiql.locator('.graphiql-response');
    const answer = async () => ((await response.textContent()) ?? '').replace(/\u00a0/g, ' ');
    for (let i = 0; i < 100 && !(await answer()).includes('"totalCount": 3'); i++) await page.waitForTimeout(100);
    const text = await answer();
    assert.match(text, /"totalCount": 3/);
    assert.ok(text.indexOf('Borealis Studio') < text.indexOf('Cobalt Legal'), 'ordered by seats');
    assert.match(text, /"statements": [12]/, 'the cost and statement count come back in extensions');
    await graphiql.getByRole('button', { name: /Show Documentation Explorer/ }).click();
    await graphiql.getByRole('link', { name: 'Query' }).or(graphiql.getByText('Query', { exact: true })).first().click();
    await graphiql.getByText('clients', { exact: true }).first().waitFor();
    await snap(page, 'data-graphql');
    // Metrics: the requests just made, with their latency.
    await page.getByRole('tab', { name: 'Metrics' }).click();
    await page.getByRole('button', { name: '1h' }).click();
    await page.getByTestId('data-traffic-chart').waitFor();
    const requests = Number((await page.locator('.data-kpis dd').first().textContent())!.replace(/[^0-9]/g, ''));
    assert.ok(requests >= 5, `requests counted: ${requests}`);
    await snap(page, 'data-metrics');
    await page.getByRole('tab', { name: 'Migrations' }).click();
    await page.getByRole('cell', { name: 'create_table clients' }).waitFor();
    // A row rule from the table's header: owner only (owner_id is added, then the rule).
    await page.getByRole('tab', { name: 'Tables' }).click();
    await page.getByLabel('Row rule').selectOption('owner_only');
    await page.getByText('owner_id added').waitFor();
    await page.getByText('No rows yet').waitFor(); // the three rows have no owner: hidden from everyone now
    await snap(page, 'data-row-rule');

    // A viewer: rows, no write actions.
    await context.clearCookies();
    const viewerPage = await (await browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage();
    viewerPage.on('pageerror', (error) => pageErrors.push(error.message));
    await logIn(viewerPage, baseUrl, 'viewer@data.test');
    await viewerPage.goto(`${baseUrl}/data`);
    await viewerPage.getByText('No rows yet').waitFor();
    assert.equal(await viewerPage.getByText('Rows: owner only').count(), 1, 'the viewer sees the rule, and no rows that are not theirs');
    assert.equal(await viewerPage.getByRole('button', { name: 'New table' }).count(), 0);
    assert.equal(await viewerPage.getByRole('button', { name: 'Add row' }).count(), 0);
    assert.equal(await viewerPage.getByRole('button', { name: 'Delete row' }).count(), 0);
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
