/**
 * The web app rides out a server restart: after `shutdown` it reconnects by
 * itself, says hello again and goes on searching.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';

const WAIT_MS = 15_000;

let browser: Browser;
let server: ServerProcess | undefined;
const contexts: BrowserContext[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  return page;
}

async function signUpAndSearch(page: Page, url: string, nickname: string, interest: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Nickname' }).fill(nickname);
  await page.getByRole('textbox', { name: 'Interests' }).fill(interest);
  await page.getByRole('checkbox', { name: 'I am 18 or older' }).check();
  await page.getByRole('button', { name: 'Start chatting' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  // Someone may already be searching (the first page, back after the restart): the match can then come
  // within milliseconds, before the searching screen is ever seen. Either one shows the search started.
  await page.getByText('Looking for someone who shares your interests…').or(page.locator('.partner-name')).first().waitFor();
}

describe('a server restart', () => {
  it(
    'is announced, and the page reconnects by itself and keeps searching',
    async () => {
      const port = String(await freePort());
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-e2e-restart-'));
      const interest = `restart-${Date.now()}`;
      server = await startServerProcess({ env: { PORT: port }, dataDir });
      const url = server.url;

      const first = await newPage();
      await signUpAndSearch(first, url, 'Faye', interest);

      expect(await server.stop()).toBe(0);
      await first.getByText('METSONY is restarting', { exact: false }).first().waitFor();

      server = await startServerProcess({ env: { PORT: port }, dataDir });
      expect(server.url).toBe(url);

      // The first page never reloads: it must find its way back on its own.
      const second = await newPage();
      await signUpAndSearch(second, url, 'Gus', interest);
      await first.locator('.partner-name', { hasText: 'Gus' }).waitFor();
      await second.locator('.partner-name', { hasText: 'Faye' }).waitFor();
    },
    45_000,
  );
});
