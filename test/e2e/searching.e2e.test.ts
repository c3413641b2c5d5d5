/**
 * End to end, issue 13 item 5: the searching screen shows the elapsed time, "Now looking for anyone"
 * once the server says the search widened, how many people are online, the AI-partner notice with
 * "Only people" (which the app sends as `find {aiPartner:false}`), and Anywhere / Near me.
 * Item 7: the polite live region says "Search widened", once per search.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fakeOpenAi.js';
import { WAIT_MS, signUpAndSearch } from '../helpers/webApp.js';

// Several sign-ups, two widenings and axe runs each: on a busy machine this takes up to a minute.
const TEST_TIMEOUT_MS = 90_000;

let fake: FakeOpenAi;
// Before the suite's hooks, so it runs after them: the fake closes once the server has stopped.
afterAll(async () => {
  await fake?.close();
});

const suite = e2eSuite({
  env: async () => {
    fake = await startFakeOpenAi();
    return { AI_BASE_URL: fake.url, AI_MODEL: 'fake-model', AI_PARTNER_AFTER_MS: '20000', MATCH_WIDEN_AFTER_MS: '2000' };
  },
});
const { profiles } = suite;

/** Every `searching` frame the page receives, as parsed JSON. */
function searchingFrames(page: Page): Array<{ widened: boolean }> {
  const frames: Array<{ widened: boolean }> = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; widened: boolean };
      if (frame.type === 'searching') frames.push(frame);
    }),
  );
  return frames;
}

/**
 * Keeps, in the page, every text the live region ([data-announcer]) shows, in order, from the first
 * render on; returns a reader. A text said twice in a row is kept twice (the region empties in between).
 */
async function recordAnnouncements(context: BrowserContext): Promise<(page: Page) => Promise<string[]>> {
  await context.addInitScript(() => {
    const said: string[] = [];
    (window as unknown as { __said: string[] }).__said = said;
    let last = '';
    new MutationObserver(() => {
      const text = document.querySelector('[data-announcer]')?.textContent ?? '';
      if (text !== last && text) said.push(text);
      last = text;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return (page) => page.evaluate(() => (window as unknown as { __said: string[] }).__said);
}

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
      await signUpAndSearch(page, suite.server.url, 'Sara', [`search-${Math.random().toString(36).slice(2, 10)}`]);

      const status = page.getByRole('status').filter({ hasText: 'Looking for someone who shares your interests' });
      await status.waitFor();
      await page.getByText(/^Only you are online right now$|^\d+ people online$/).waitFor();
      await page.getByText('an AI partner may join. It is always labelled AI.', { exact: false }).waitFor();
      await page.getByText('within about 20 seconds', { exact: false }).waitFor();
      // First-time users see where to look, here.
      await page.getByRole('radio', { name: 'Anywhere' }).waitFor();
      await page.getByRole('radio', { name: 'Near me' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);

      // The clock runs (past 0:00; on a busy machine the steps above may take ten seconds or more).
      await page.getByText(/^Searching for (?!0:00$)\d+:\d\d$/).waitFor();

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

  it(
    'the live region says "Search widened" when the search opens to anyone, once per search, then the match',
    async () => {
      let said: (page: Page) => Promise<string[]> = async () => [];
      const page = await profiles.newPage({ prepare: async (context) => (said = await recordAnnouncements(context)) });
      const frames = searchingFrames(page);
      await signUpAndSearch(page, suite.server.url, 'Wendy', [`widen-${Math.random().toString(36).slice(2, 10)}`]);

      const region = page.locator('[data-announcer]');
      await region.getByText('Search widened', { exact: true }).waitFor();
      expect(await region.getAttribute('aria-live')).toBe('polite');
      await expect.poll(() => frames.map((f) => f.widened), { timeout: WAIT_MS }).toEqual([false, true]);
      await page.getByRole('status').filter({ hasText: 'Now looking for anyone' }).waitFor();

      // A changed choice searches again: the server starts narrow and widens again, the region stays quiet.
      await page.getByRole('checkbox', { name: 'Only people' }).check();
      await expect.poll(() => frames.map((f) => f.widened), { timeout: WAIT_MS }).toEqual([false, true, false, true]);
      // Someone without interests comes (open to anyone at once): the next thing said is the match.
      const other = await profiles.newPage();
      await signUpAndSearch(other, suite.server.url, 'Xavi', []);
      await region.getByText('Matched with Xavi.', { exact: true }).waitFor();
      expect(await said(page)).toEqual(['Search widened', 'Matched with Xavi.']);
      expect(await axeViolations(page)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a search without interests is open to anyone from its start: nothing to announce but the match',
    async () => {
      let said: (page: Page) => Promise<string[]> = async () => [];
      const page = await profiles.newPage({ prepare: async (context) => (said = await recordAnnouncements(context)) });
      const frames = searchingFrames(page);
      await signUpAndSearch(page, suite.server.url, 'Yara', []);
      await expect.poll(() => frames.map((f) => f.widened), { timeout: WAIT_MS }).toEqual([true]);
      await page.getByRole('status').filter({ hasText: 'Now looking for anyone' }).waitFor();

      const other = await profiles.newPage();
      await signUpAndSearch(other, suite.server.url, 'Zeno', [`z-${Math.random().toString(36).slice(2, 10)}`]);
      await page.locator('[data-announcer]').getByText('Matched with Zeno.', { exact: true }).waitFor();
      expect(await said(page)).toEqual(['Matched with Zeno.']);
    },
    TEST_TIMEOUT_MS,
  );
});
