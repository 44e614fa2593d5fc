// Requests and support tickets in real Chromium: a client asks for an automation, a platform
// admin moves it on the pipeline board with an estimate and an internal note, the client sees
// the timeline without the note; a ticket thread with an admin reply and an internal note the
// client never sees. Screenshots go to artifacts/screenshots/requests-*.png and tickets-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium, snap, logIn as logInAs } from '../helpers/browser.ts';

const PASSWORD = 'a long browser passphrase';
const admin = { email: 'ops@pipeline.test', password: 'correct horse battery', name: 'Pat Pipeline' };
const INTERNAL = 'Margin is thin, keep it quiet';
const INTERNAL_TICKET = 'Looks like their secret expired';

const logIn = (page: Page, baseUrl: string, email: string, password: string) => logInAs(page, baseUrl, { email, password }, { waitForNav: true });

test('requests board and support tickets in Chromium', { timeout: 240_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  const clientBodies: string[] = [];
  try {
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const baseUrl = platform.baseUrl!;
    const hash = await platform.identity.passwords.hash(PASSWORD);
    await platform.db.withPlatform(async (tx) => {
      const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ('acme-req', 'Acme Requests') returning id`);
      const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ('owner@acme-req.test', 'Ada Owner', $1) returning id`, [hash]);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [w.rows[0].id, u.rows[0].id]);
    });
    await platform.admin.createPlatformAdmin(admin);
    browser = await launchChromium();

    const client = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    client.on('pageerror', (error) => pageErrors.push(error.message));
    client.on('response', async (response) => {
      if (response.url().includes('/api/v1/')) clientBodies.push(await response.text().catch(() => ''));
    });
    const ops = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    ops.on('pageerror', (error) => pageErrors.push(error.message));

    // The client asks for an automation.
    await logIn(client, baseUrl, 'owner@acme-req.test', PASSWORD);
    await client.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests', exact: true }).click();
    await client.getByText('No requests yet').waitFor();
    await snap(client, 'requests-empty');
    await client.getByRole('button', { name: 'New request' }).first().click();
    const form = client.getByRole('dialog');
    await form.getByLabel('Title').fill('Weekly invoice digest');
    await form.getByLabel('What should it do?').fill('Collect invoices from the mailbox and post totals to Slack.');
    await form.getByLabel('Frequency').selectOption('weekly');
    await form.getByLabel('Budget (optional)').fill('1500');
    await snap(client, 'requests-new-dialog');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await client.getByText('submitted the request').waitFor();
    assert.match(client.url(), /\/requests\/[0-9a-f-]{36}$/);
    const requestId = client.url().split('/').at(-1)!;

    // The platform admin moves it on the board, estimates it, notes it internally.
    await logIn(ops, baseUrl, admin.email, admin.password);
    await ops.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request pipeline' }).click();
    const submitted = ops.getByRole('listitem', { name: 'Submitted' });
    await submitted.getByRole('button', { name: /Weekly invoice digest/ }).waitFor();
    await snap(ops, 'requests-board');
    await submitted.getByRole('button', { name: /Weekly invoice digest/ }).click();
    const panel = ops.getByRole('dialog');
    await panel.getByLabel('Note for the client (optional, shown with the move)').fill('We are looking at it this week.');
    await panel.getByRole('button', { name: 'Move to Reviewing' }).click();
    await panel.getByRole('button', { name: 'Move to Negotiation' }).waitFor();
    await panel.getByLabel('Estimated price').fill('4200');
    await panel.getByLabel('Delivery date').fill('2031-03-15');
    await panel.getByRole('button', { name: 'Send estimate' }).click();
    await ops.getByText('Estimate saved').waitFor();
    await panel.getByLabel('Note', { exact: true }).fill(INTERNAL);
    await panel.getByRole('button', { name: 'Add internal note' }).click();
    await panel.getByText(INTERNAL).waitFor();
    await snap(ops, 'requests-board-dialog');
    await panel.getByRole('button', { name: 'Close', exact: true }).click();
    await ops.getByRole('listitem', { name: 'Reviewing' }).getByRole('button', { name: /Weekly invoice digest/ }).waitFor();
    await snap(ops, 'requests-board-moved');

    // The client sees the move and the estimate, never the internal note.
    await client.reload();
    await client.getByText('We are looking at it this week.').waitFor();
    await client.getByText(/moved it from/).waitFor();
    await client.getByText(/2031-03-15/).first().waitFor();
    assert.ok(!(await client.content()).includes(INTERNAL));
    await snap(client, 'requests-detail');

    // Support: the client opens a ticket; the admin assigns it, replies and notes internally.
    await client.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support', exact: true }).click();
    await client.getByText('No tickets yet').waitFor();
    await client.getByRole('button', { name: 'New ticket' }).first().click();
    const ticketForm = client.getByRole('dialog');
    await ticketForm.getByLabel('Subject').fill('Export to Sheets fails');
    await ticketForm.getByLabel('Description').fill('Since Monday every run fails at the export step.');
    await ticketForm.getByLabel('Priority').selectOption('high');
    await ticketForm.getByRole('button', { name: 'Open ticket' }).click();
    await client.getByText('No replies yet').waitFor();
    await snap(client, 'tickets-new');

    await ops.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support tickets' }).click();
    await ops.getByRole('link', { name: 'Export to Sheets fails' }).click();
    await ops.getByRole('button', { name: 'Assign to me' }).click();
    await ops.getByText('Assigned to you').waitFor();
    await ops.getByLabel('Reply to the client').fill('We are on it: can you confirm the sheet still exists?');
    await ops.getByRole('button', { name: 'Send reply' }).click();
    await ops.getByText('Reply sent').waitFor();
    await ops.getByLabel('Internal note').check();
    await ops.getByLabel('Internal note (platform admins only)').fill(INTERNAL_TICKET);
    await ops.getByRole('button', { name: 'Add note' }).click();
    await ops.getByText(INTERNAL_TICKET).waitFor();
    await ops.getByLabel('Status').selectOption('waiting');
    await ops.getByText('Status: Waiting on client').waitFor();
    await snap(ops, 'tickets-admin-detail');
    await ops.goto(`${baseUrl}/admin/tickets`);
    await ops.getByRole('link', { name: 'Export to Sheets fails' }).waitFor();
    await snap(ops, 'tickets-admin-list');

    await client.reload();
    await client.getByText('can you confirm the sheet still exists?').waitFor();
    await client.getByText('handled by Pat Pipeline').waitFor();
    assert.ok(!(await client.content()).includes(INTERNAL_TICKET));
    await client.getByLabel('Reply').fill('Yes, it does.');
    await client.getByRole('button', { name: 'Send reply' }).click();
    await client.getByText('Yes, it does.').waitFor();
    await snap(client, 'tickets-thread');

    assert.deepEqual(pageErrors, []);
    assert.ok(clientBodies.length > 5);
    assert.ok(!clientBodies.some((b) => b.includes(INTERNAL) || b.includes(INTERNAL_TICKET)), 'an internal note reached the client');
    const status = await platform.db.withPlatform((tx) => tx.query<{ status: string }>('select status from workflow_requests where id = $1', [requestId]));
    assert.equal(status.rows[0].status, 'reviewing');
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
