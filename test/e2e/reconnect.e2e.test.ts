/**
 * The web app rides out a server restart: after `shutdown` it reconnects by
 * itself, says hello again and goes on searching.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { freePort } from '../helpers/inProcess.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { E2E_SERVER_ENV, signUpAndSearch } from '../helpers/webApp.js';

const WAIT_MS = 15_000;

/** The test starts the server, stops it and starts it again on the same port. */
let server: ServerProcess | undefined;
// Before the suite's hooks, so it runs after them: the pages close first.
afterAll(async () => {
  await server?.stop();
});

const { profiles } = e2eSuite({ server: false, timeout: WAIT_MS });

/** Signs up and starts searching; waits until the search has started, or already found someone. */
async function startSearching(page: Page, url: string, nickname: string, interest: string): Promise<void> {
  await signUpAndSearch(page, url, nickname, [interest]);
  // Someone may already be searching (the first page, back after the restart): the match can then come
  // within milliseconds, before the searching screen is ever seen. Either one shows the search started.
  await page.getByText(/Looking for someone who shares your interests…|Now looking for anyone/).or(page.locator('.partner-name')).first().waitFor();
}

describe('a server restart', () => {
  it(
    'is announced, and the page reconnects by itself and keeps searching',
    async () => {
      const port = String(await freePort());
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metsony-e2e-restart-'));
      const interest = `restart-${Date.now()}`;
      server = await startServerProcess({ env: { ...E2E_SERVER_ENV, PORT: port }, dataDir });
      const url = server.url;

      const first = await profiles.newPage();
      await startSearching(first, url, 'Faye', interest);

      expect(await server.stop()).toBe(0);
      await first.getByText('METSONY is restarting', { exact: false }).first().waitFor();

      server = await startServerProcess({ env: { ...E2E_SERVER_ENV, PORT: port }, dataDir });
      expect(server.url).toBe(url);

      // The first page never reloads: it must find its way back on its own.
      const second = await profiles.newPage();
      await startSearching(second, url, 'Gus', interest);
      await first.locator('.partner-name', { hasText: 'Gus' }).waitFor();
      await second.locator('.partner-name', { hasText: 'Faye' }).waitFor();
    },
    45_000,
  );
});
