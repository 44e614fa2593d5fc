// Shared set-up of the browser tests: Debian's Chromium driven by playwright-core, and where
// screenshots go (artifacts/, gitignored).
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.resolve(import.meta.dirname, '../../artifacts/screenshots');

/** Headless Chromium with the flags this machine's closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A full-page screenshot under artifacts/screenshots, once the page's spinners are gone. */
export async function snap(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.locator('.spinner').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: options.fullPage ?? true, animations: 'disabled' });
}

/** The console's login form, optionally with `?next=`; `waitForNav` waits for the signed-in shell. */
export async function logIn(page: Page, baseUrl: string, user: { email: string; password: string }, options: { next?: string; waitForNav?: boolean } = {}): Promise<void> {
  await page.goto(`${baseUrl}/login${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`);
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  if (options.waitForNav) await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
