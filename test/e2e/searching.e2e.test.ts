/**
 * End to end, issue 13 item 5: the searching screen shows the elapsed time, "Now looking for anyone"
 * once the server says the search widened, how many people are online, the AI-partner notice with
 * "Only people" (which the app sends as `find {aiPartner:false}`), and Anywhere / Near me.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { launchBrowser } from '../helpers/browser.js';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fakeOpenAi.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { Profiles, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 30_000;

let fake: FakeOpenAi;
let server: ServerProcess;
let browser: Browser;
const profiles = new Profiles(() => browser);

beforeAll(async () => {
  fake = await startFakeOpenAi();
  [server, browser] = await Promise.all([
    startServerProcess({
      env: { AI_BASE_URL: fake.url, AI_MODEL: 'fake-model', AI_PARTNER_AFTER_MS: '20000', MATCH_WIDEN_AFTER_MS: '2000' },
    }),
    launchBrowser(),
  ]);
}, 60_000);

afterEach(async () => {
  await profiles.closeAll();
  expect(profiles.cspProblems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await fake?.close();
});

/** Every `find` frame the page sends, as parsed JSON. */
function findFrames(page: Page): Array<Record<string, unknown>> {
  const finds: Array<Record<string, unknown>> = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as Record<string, unknown>;
      if (frame.type === 'find') finds.push(frame);
    }),
  );
  return finds;
}

describe('the searching screen', () => {
  it(
    'elapsed time, online count, AI notice, then "Now looking for anyone"; Only people and Near me search again with the choice',
    async () => {
      const page = await profiles.newPage();
      const finds = findFrames(page);
      await signUpAndSearch(page, server.url, 'Sara', [`search-${Math.random().toString(36).slice(2, 10)}`]);

      const status = page.getByRole('status').filter({ hasText: 'Looking for someone who shares your interests' });
      await status.waitFor();
      await page.getByText(/^Only you are online right now$|^\d+ people online$/).waitFor();
      await page.getByText('an AI partner may join. It is always labelled AI.', { exact: false }).waitFor();
      await page.getByText('within about 20 seconds', { exact: false }).waitFor();
      // First-time users see where to look, here.
      await page.getByRole('radio', { name: 'Anywhere' }).waitFor();
      await page.getByRole('radio', { name: 'Near me' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // The clock runs.
      await page.getByText(/^Searching for 0:0[1-9]$/).waitFor();

      // Only people: the notice says so, and the search is made again without AI partners.
      await page.getByRole('checkbox', { name: 'Only people' }).check();
      await page.getByText('No AI partner will join', { exact: false }).waitFor();
      await expect.poll(() => finds.at(-1)).toMatchObject({ type: 'find', aiPartner: false });

      // The server says when the search widened.
      await page.getByRole('status').filter({ hasText: 'Now looking for anyone' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole('radio', { name: 'Near me' }).check();
      await expect.poll(() => finds.at(-1)).toMatchObject({ type: 'find', region: 'near', aiPartner: false });
      // The choices are kept for the next search, and the search still runs.
      await page.getByRole('status').filter({ hasText: /Looking for someone|Now looking for anyone/ }).waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Start chatting' }).waitFor();
      expect(await page.getByRole('radio', { name: 'Near me' }).isChecked()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      // The Privacy Policy's table says where connection threads are kept.
      await page.getByRole('link', { name: 'Privacy Policy' }).click();
      await page.getByRole('rowheader', { name: /in your browser only \(IndexedDB\)/ }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
