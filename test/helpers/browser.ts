// Shared set-up of the browser tests: Debian's Chromium driven by playwright-core, and where
// screenshots go (artifacts/, gitignored).
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.resolve(import.meta.dirname, '../../artifacts/screenshots');

/** Headless Chromium with the flags this machine's closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
