/**
 * Headless Chromium for end-to-end tests, driven by playwright-core.
 * Debian's /usr/bin/chromium when installed, else the binary shipped inside
 * @sparticuz/chromium. Always our own flags: that package's default args
 * switch off web security and would hide CSP mistakes.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export async function chromiumPath(): Promise<string> {
  if (fs.existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  const packaged = (await import('@sparticuz/chromium')).default;
  return packaged.executablePath();
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: BROWSER_ARGS });
}
