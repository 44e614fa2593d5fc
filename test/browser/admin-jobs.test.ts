// The platform admin's Jobs page in real Chromium: queue stats and a dead letter with its last
// error, retried from the page (the job is pending again in the database).
// Screenshots go to artifacts/screenshots/admin-jobs-*.png (gitignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildConsoleIfStale } from '../../src/cli/console-build.ts';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { CHROMIUM, SHOTS, launchChromium } from '../helpers/browser.ts';

test('the Jobs page shows queues and retries a dead letter', { timeout: 180_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium package to run the browser test`);
    return;
  }
  mkdirSync(SHOTS, { recursive: true });
  await buildConsoleIfStale();
  let platform: TestPlatform | undefined;
  let browser: Browser | undefined;
  try {
    platform = await startTestPlatform({}, { serveConsole: true, listen: true });
    const p = platform;
    const admin = await p.admin.createPlatformAdmin({ email: 'root@jobs-browser.test', password: 'operator password 1', name: 'Root' });
    const dead = await p.db.withWorkspace(admin.workspace.id, (tx) => p.jobs.enqueue(tx, 'webhooks.deliver', { deliveryId: 'x' }, { workspaceId: admin.workspace.id }));
    await p.db.withPlatform((tx) => tx.query(`update jobs set status = 'dead', attempts = 8, max_attempts = 8, last_error = '{"message":"POST https://hooks.example.com answered 503"}' where id = $1`, [dead.id]));
    await p.db.withPlatform((tx) => p.jobs.enqueue(tx, 'api_logs.retention', {}, { runAt: new Date(Date.now() + 3600_000) }));

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${p.baseUrl}/login?next=${encodeURIComponent('/admin/jobs')}`);
    await page.getByLabel('Email', { exact: true }).fill('root@jobs-browser.test');
    await page.getByLabel('Password', { exact: true }).fill('operator password 1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Jobs', exact: true, level: 1 }).waitFor();
    const queues = page.locator('#job-queues');
    await queues.getByText('webhooks.deliver').waitFor();
    await queues.getByText('api_logs.retention').waitFor();
    const list = page.locator('#job-list');
    await list.getByText('answered 503').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'admin-jobs-dead.png'), fullPage: true });
    await list.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Retry job' }).click();
    await list.getByText('No dead letters').waitFor();
    const status = await p.db.withPlatform(async (tx) => (await tx.query('select status, attempts from jobs where id = $1', [dead.id])).rows[0]);
    assert.deepEqual(status, { status: 'pending', attempts: 0 });
    await page.screenshot({ path: path.join(SHOTS, 'admin-jobs-retried.png'), fullPage: true });
  } finally {
    await browser?.close();
    await platform?.stop();
  }
});
