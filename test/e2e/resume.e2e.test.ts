/**
 * A chat survives a reload, a closed tab and a node going away (issue 10,
 * docs/protocol.md "Resume after a dropped connection"), in headless Chromium
 * against the real server serving the built web app.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { TcpFront } from '../helpers/tcpFront.js';
import { WAIT_MS, sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 45_000;
/** The server holds one message for an away partner (CHAT_HELD_MESSAGES), so a second one is refused. */
const suite = e2eSuite({ env: { CHAT_GRACE_MS: '15000', CHAT_HELD_MESSAGES: '1' } });
const { profiles } = suite;

/** Two people matched on a fresh shared interest, each seeing the other. */
async function pair(url: string, a: string, b: string): Promise<[Page, Page]> {
  const shared = `resume-${Math.random().toString(36).slice(2, 10)}`;
  const [pa, pb] = await Promise.all([profiles.newPage(), profiles.newPage()]);
  await Promise.all([signUpAndSearch(pa, url, a, [shared]), signUpAndSearch(pb, url, b, [shared])]);
  await pa.locator('.partner-name', { hasText: b }).waitFor();
  await pb.locator('.partner-name', { hasText: a }).waitFor();
  return [pa, pb];
}

/** Keeps, in the page, every text the partner-away banner shows, however briefly (a reload is quick). */
async function recordAwayBanner(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __away: string[] }).__away = seen;
    new MutationObserver(() => {
      const text = document.querySelector('.away-banner')?.textContent ?? '';
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { __away: string[] }).__away);
}

describe('a reload in the middle of a chat', () => {
  it(
    'takes the chat back with the unsent draft; the partner saw the drop and the return, and both go on chatting',
    async () => {
      const [ada, ben] = await pair(suite.server.url, 'Ada', 'Ben');
      await sendMessage(ada, 'Before the reload');
      await ben.getByRole('log').getByText('Before the reload').waitFor();
      const awayTexts = await recordAwayBanner(ben);

      await ada.getByRole('textbox', { name: 'Message' }).fill('typed, not sent');
      await ada.reload();

      await ada.locator('.partner-name', { hasText: 'Ben' }).waitFor();
      await ada.getByRole('log').getByText('Earlier messages are not kept after a reload.').waitFor();
      expect(await ada.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('typed, not sent');
      // Never the raw server sentence.
      expect(await ada.getByText('You are not in that chat.').count()).toBe(0);

      await ben.getByRole('log').getByText('Ada is back.').waitFor();
      expect((await awayTexts()).some((t) => t.startsWith("Ada's connection dropped. Waiting up to 15 s…"))).toBe(true);
      expect(await ben.getByText('Stranger disconnected.').count()).toBe(0);

      await ada.getByRole('button', { name: 'Send' }).click();
      await ben.getByRole('log').getByText('typed, not sent').waitFor();
      await ada.getByRole('log').locator('.msg-own .msg-state.delivered').waitFor();
      await sendMessage(ben, 'Welcome back');
      await ada.getByRole('log').getByText('Welcome back').waitFor();
      // The draft went with the message: a second reload shows an empty box.
      await ada.reload();
      await ada.getByRole('log').getByText('Earlier messages are not kept after a reload.').waitFor();
      expect(await ada.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('');
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a connection that breaks without a reload', () => {
  it(
    'says it is reconnecting, keeps the log; a message lost on the wire shows Not sent and Retry, one typed meanwhile goes out after the resume',
    async () => {
      // Only Hal's page goes through a front whose network can break; Ivy talks to the server directly.
      const front = await TcpFront.start([{ host: '127.0.0.1', port: suite.server.port }]);
      try {
        const shared = `wire-${Math.random().toString(36).slice(2, 10)}`;
        const [hal, ivy] = await Promise.all([profiles.newPage(), profiles.newPage()]);
        await Promise.all([signUpAndSearch(hal, front.url, 'Hal', [shared]), signUpAndSearch(ivy, suite.server.url, 'Ivy', [shared])]);
        await hal.locator('.partner-name', { hasText: 'Ivy' }).waitFor();
        await sendMessage(hal, 'Over the wire');
        await ivy.getByRole('log').getByText('Over the wire').waitFor();

        // The network stops carrying Hal's frames: this one never arrives, then the connection breaks.
        front.freeze();
        await sendMessage(hal, 'Lost on the way');
        front.use([]);
        front.dropAll();
        await hal.getByRole('status').getByText('Reconnecting… your chat is kept for a few seconds.').waitFor();
        await sendMessage(hal, 'Typed while away');
        await ivy.getByText("Hal's connection dropped", { exact: false }).waitFor();

        front.use([{ host: '127.0.0.1', port: suite.server.port }]);
        await ivy.getByRole('log').getByText('Typed while away').waitFor();
        await ivy.getByRole('log').getByText('Hal is back.').waitFor();
        const lost = hal.getByRole('log').locator('.msg-own', { hasText: 'Lost on the way' });
        await lost.getByText('Not sent').waitFor();
        expect(await hal.getByRole('log').getByText('Over the wire').count()).toBe(1);
        expect(await hal.getByRole('log').getByText('Earlier messages', { exact: false }).count()).toBe(0);
        expect(await ivy.getByRole('log').getByText('Lost on the way').count()).toBe(0);

        await lost.getByRole('button', { name: 'Retry' }).click();
        await ivy.getByRole('log').getByText('Lost on the way').waitFor();
        await hal.getByRole('log').locator('.msg-own', { hasText: 'Lost on the way' }).locator('.msg-state.delivered').waitFor();
        expect(await hal.getByText('Reconnecting…', { exact: false }).count()).toBe(0);
      } finally {
        await front.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Next pressed while the connection is down', () => {
  it('leaves the waiting chat as soon as the page is back, and searches', async () => {
    const front = await TcpFront.start([{ host: '127.0.0.1', port: suite.server.port }]);
    try {
      const shared = `next-${Math.random().toString(36).slice(2, 10)}`;
      const [jo, kai] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      await Promise.all([signUpAndSearch(jo, front.url, 'Jo', [shared]), signUpAndSearch(kai, suite.server.url, 'Kai', [shared])]);
      await jo.locator('.partner-name', { hasText: 'Kai' }).waitFor();

      front.use([]);
      front.dropAll();
      await kai.getByText("Jo's connection dropped", { exact: false }).waitFor();
      await jo.getByRole('button', { name: 'Next' }).click();
      front.use([{ host: '127.0.0.1', port: suite.server.port }]);

      // Kai is told at once that Jo left, not after the grace; Jo searches instead of being offered the old chat.
      await kai.getByRole('log').getByText('Stranger left.').waitFor();
      await jo.getByText(/Looking for someone who shares your interests…|Now looking for anyone/).waitFor();
      expect(await jo.getByText('A chat is waiting for you').count()).toBe(0);
    } finally {
      await front.close();
    }
  });
});

describe('a partner whose tab closed', () => {
  it(
    'is shown as away with a countdown; a message meanwhile waits then is delivered, one over the bound shows Not sent and Retry sends it',
    async () => {
      const [cleo, dan] = await pair(suite.server.url, 'Cleo', 'Dan');
      const cleoContext = cleo.context();
      await cleo.close();

      const banner = dan.getByRole('status').filter({ hasText: "Cleo's connection dropped. Waiting up to 15 s…" });
      await banner.waitFor();
      await banner.getByText(/\d+ s left/).waitFor();
      // The composer stays usable; the message waits for Cleo.
      await sendMessage(dan, 'Are you still there?');
      await dan.getByRole('log').locator('.msg-own .msg-state.waiting').waitFor();
      // Over the server's bound: this one is not kept, and says so.
      await sendMessage(dan, 'Hello?');
      const hello = dan.getByRole('log').locator('.msg-own', { hasText: 'Hello?' });
      await hello.getByText('Not sent').waitFor();
      // The banner, the waiting and the Not sent states and Retry pass the accessibility checks.
      expect(await axeViolations(dan)).toEqual([]);

      // Cleo opens a new tab: still signed in, and a search offers the waiting chat instead.
      const back = await cleoContext.newPage();
      back.setDefaultTimeout(WAIT_MS);
      await back.goto(suite.server.url);
      await back.getByRole('button', { name: 'Start chatting' }).click();
      await back.getByRole('heading', { name: 'A chat is waiting for you' }).waitFor();
      await back.getByRole('button', { name: 'Go back to that chat here' }).click();

      await back.locator('.partner-name', { hasText: 'Dan' }).waitFor();
      await back.getByRole('log').getByText('Are you still there?').waitFor();
      await dan.getByRole('log').getByText('Cleo is back.').waitFor();
      await dan.getByRole('log').locator('.msg-own', { hasText: 'Are you still there?' }).locator('.msg-state.delivered').waitFor();
      expect(await dan.locator('.away-banner').textContent()).toBe('');

      // Retry sends the refused one now that Cleo is back.
      await hello.getByRole('button', { name: 'Retry' }).click();
      await back.getByRole('log').getByText('Hello?').waitFor();
      await dan.getByRole('log').locator('.msg-own', { hasText: 'Hello?' }).locator('.msg-state.delivered').waitFor();
      expect(await dan.getByText('Not sent').count()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a chat that ended while the tab was away', () => {
  it('after a reload says so in plain words, and Log out forgets the chat and the draft of the tab', async () => {
    const gil = await profiles.newPage();
    await signUpAndSearch(gil, suite.server.url, 'Gil', [`gone-${Date.now()}`]);
    await gil.getByRole('button', { name: 'Cancel' }).click();
    // As if the tab had been in a chat that expired meanwhile.
    await gil.evaluate(() => {
      sessionStorage.setItem('metsony.chat', 'a-chat-that-is-gone');
      sessionStorage.setItem('metsony.draft', JSON.stringify({ chatId: 'a-chat-that-is-gone', text: 'unsent words' }));
    });
    await gil.reload();
    await gil.getByText('Your chat ended while you were away.').waitFor();
    await gil.getByRole('button', { name: 'Start chatting' }).waitFor();
    expect(await gil.getByText('You are not in that chat.').count()).toBe(0);
    expect(await gil.evaluate(() => sessionStorage.getItem('metsony.chat'))).toBeNull();

    await gil.evaluate(() => sessionStorage.setItem('metsony.draft', JSON.stringify({ chatId: 'c', text: 'unsent words' })));
    await gil.getByRole('link', { name: 'Settings' }).click();
    await gil.getByRole('button', { name: 'Log out' }).click();
    await gil.getByRole('checkbox', { name: 'I am 18 or older' }).waitFor();
    expect(await gil.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('metsony.')))).toEqual([]);
  });
});
