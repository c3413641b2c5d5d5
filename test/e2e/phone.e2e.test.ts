/**
 * Issue 13 in the browser (items 1–4, 7–9): safe controls, focus, the live
 * region, the recovery code, alerts in the background, the composer, and the
 * room a phone with its keyboard open leaves the conversation. Two people
 * where it takes two, at phone (390×844, 390×480) and desktop (1280×800)
 * sizes, keyboard only where focus is the point.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 45_000;
const PHONE = { width: 390, height: 844 };
const PHONE_KEYBOARD_OPEN = { width: 390, height: 480 };
const DESKTOP = { width: 1280, height: 800 };

const suite = e2eSuite();
const { profiles } = suite;

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

async function pageAt(viewport: { width: number; height: number }): Promise<Page> {
  return profiles.newPage({ context: { viewport } });
}

/** Two people matched on a fresh interest; each page shows the other as partner. */
async function pair(size: { width: number; height: number }, names: [string, string] = ['Alice', 'Bob']) {
  const interest = unique('i');
  const [a, b] = await Promise.all([pageAt(size), pageAt(size)]);
  await signUpAndSearch(a, suite.server.url, names[0], [interest]);
  await signUpAndSearch(b, suite.server.url, names[1], [interest]);
  await a.locator('.partner-name', { hasText: names[1] }).waitFor();
  await b.locator('.partner-name', { hasText: names[0] }).waitFor();
  return { a, b, interest };
}

const announcer = (page: Page) => page.locator('[data-announcer]');
const activeText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const activeInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));

describe('safe controls and the screen reader, two people on phones', () => {
  it(
    'announces the match, lists messages with sender and time, shows every chat action, Escape asks Really? and Escape, Escape leaves',
    async () => {
      const { a: alice, b: bob, interest } = await pair(PHONE);

      // The one polite live region says who and what is shared.
      await announcer(alice).getByText(`Matched with Bob. You both like ${interest}.`).waitFor();
      expect(await announcer(alice).getAttribute('aria-live')).toBe('polite');
      // No footer on the chat screen.
      expect(await alice.locator('.site-footer').count()).toBe(0);

      await sendMessage(bob, 'hello there');
      const item = alice.getByRole('log').getByRole('listitem').filter({ hasText: 'hello there' });
      await item.waitFor();
      expect(await item.textContent()).toMatch(/^Bob, \d{1,2}:\d{2}.*: hello there/);
      expect(await item.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

      // Every chat action is a visible button, without a menu (PROTOCOL.md §4).
      expect(await alice.getByRole('button', { name: 'More' }).count()).toBe(0);
      for (const name of ['Next', 'Stop', 'Connect', 'Reveal profile', 'Report', 'Block']) {
        expect(await alice.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
      }
      expect(await axeViolations(alice)).toEqual([]);

      // One Escape: "Really?", and the chat goes on.
      const hint = alice.locator('.next-hint');
      await alice.getByRole('textbox', { name: 'Message' }).press('Escape');
      await hint.getByText('Really? Escape again to leave.').waitFor();
      await announcer(alice).getByText('Really? Press Escape again to leave this chat.').waitFor();
      expect(await alice.getByRole('button', { name: 'Next', exact: true }).count()).toBe(1);
      expect(await axeViolations(alice)).toEqual([]);
      await sendMessage(bob, 'still here?');
      await alice.getByRole('log').getByText('still here?').waitFor();
      expect(await bob.getByRole('log').getByText('Stranger left.').count()).toBe(0);

      // Escape, Escape from the message box: Next.
      await bob.getByRole('textbox', { name: 'Message' }).press('Escape');
      await bob.locator('.next-hint').waitFor();
      expect(await alice.getByRole('log').getByText('Stranger left.').count()).toBe(0);
      await bob.getByRole('textbox', { name: 'Message' }).press('Escape');
      await alice.getByRole('log').getByText('Stranger left.').waitFor();
      await announcer(alice).getByText('Stranger left.').waitFor();
      // The person left behind lands on "Start chatting", not on <body>.
      await expect.poll(() => activeText(alice)).toBe('Start chatting');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'Next leaves on one click; once connected, the end says the partner by name, aloud too',
    async () => {
      const { a: hana, b: ivan } = await pair(PHONE, ['Hana', 'Ivan']);
      await hana.getByRole('button', { name: 'Connect' }).click();
      // Connect disables itself: the focus goes to the message box, not to <body>.
      await expect.poll(() => hana.evaluate(() => document.activeElement?.id)).toBe('chat-message');
      await ivan.getByRole('button', { name: 'Connect' }).click();
      await hana.getByText('Connected', { exact: true }).waitFor();
      await ivan.getByRole('button', { name: 'Next' }).click();
      await hana.getByRole('log').getByText('Ivan left.').waitFor();
      await announcer(hana).getByText('Ivan left.').waitFor();
    },
    TEST_TIMEOUT_MS,
  );
});

describe('focus, keyboard only, on a desktop', () => {
  it(
    'the Report panel: Tab stays inside, Escape closes from anywhere, focus returns to Report; Report and leave moves on',
    async () => {
      const { a: alice, b: bob } = await pair(DESKTOP);
      const report = alice.getByRole('button', { name: 'Report', exact: true });
      await report.focus();
      await alice.keyboard.press('Enter');
      const dialog = alice.getByRole('dialog', { name: 'Report Bob' });
      await dialog.waitFor();
      expect(await activeInDialog(alice)).toBe(true);
      expect(await axeViolations(alice)).toEqual([]);

      // Tab and Shift+Tab go round inside the panel.
      for (let i = 0; i < 14; i++) {
        await alice.keyboard.press('Tab');
        expect(await activeInDialog(alice)).toBe(true);
      }
      for (let i = 0; i < 14; i++) {
        await alice.keyboard.press('Shift+Tab');
        expect(await activeInDialog(alice)).toBe(true);
      }
      // Escape with the focus outside the panel still closes it; the focus returns to Report.
      await alice.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await alice.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => activeText(alice)).toBe('Report');
      // That Escape was the panel's: Next is not armed.
      expect(await alice.locator('.next-hint').count()).toBe(0);

      // Harassment: "Report and leave" is the default; it sends the report and leaves.
      await alice.keyboard.press('Enter');
      await dialog.getByRole('radio', { name: 'Harassment or hate' }).check();
      expect(await dialog.getByRole('radio', { name: 'Leave the chat' }).isChecked()).toBe(true);
      await dialog.getByRole('button', { name: 'Report and leave' }).focus();
      await alice.keyboard.press('Enter');
      await bob.getByRole('log').getByText('Stranger left.').waitFor();
      await alice.getByRole('log').getByText('You left.').waitFor();
      await expect.poll(() => activeText(alice)).toBe('Start chatting');
      expect(await axeViolations(alice)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the focus ring is at least 3:1 against the page behind it',
    async () => {
      const page = await pageAt(DESKTOP);
      await page.goto(suite.server.url);
      await page.keyboard.press('Tab');
      const ratio = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const channels = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
        const lum = (c: string) => {
          const [r, g, b] = channels(c).map((v) => {
            const s = v / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        const ring = getComputedStyle(el).outlineColor;
        const back = getComputedStyle(document.body).backgroundColor;
        const [hi, lo] = [lum(ring), lum(back)].sort((x, y) => y - x);
        return { width: getComputedStyle(el).outlineWidth, ratio: (hi! + 0.05) / (lo! + 0.05) };
      });
      expect(ratio.width).toBe('3px');
      expect(ratio.ratio).toBeGreaterThanOrEqual(3);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('room to talk', () => {
  it(
    'at 390×480 (a phone with its keyboard open) the conversation keeps at least 300 px',
    async () => {
      const { a: alice, b: bob } = await pair(PHONE_KEYBOARD_OPEN);
      const log = alice.getByRole('log');
      const box = await log.boundingBox();
      console.info(`conversation height at 390×480: ${box!.height}px`);
      expect(box!.height).toBeGreaterThanOrEqual(300);
      // Still so with a connect request waiting and the partner typing.
      await alice.getByRole('button', { name: 'Connect' }).click();
      await alice.getByText('Waiting for them…').waitFor();
      await bob.getByRole('textbox', { name: 'Message' }).pressSequentially('typing');
      await alice.getByText('Bob is typing…').waitFor();
      const busy = await log.boundingBox();
      console.info(`… with a request waiting and the partner typing: ${busy!.height}px`);
      expect(busy!.height).toBeGreaterThanOrEqual(300);
      // Message and Send and every chat action are on screen, none cut off.
      for (const control of [
        alice.getByRole('textbox', { name: 'Message' }),
        alice.getByRole('button', { name: 'Send' }),
        ...['Next', 'Stop', 'Connect', 'Reveal profile', 'Report', 'Block'].map((name) =>
          alice.getByRole('button', { name, exact: true }),
        ),
      ]) {
        const b = await control.boundingBox();
        expect(b!.y + b!.height).toBeLessThanOrEqual(PHONE_KEYBOARD_OPEN.height);
      }
      expect(await axeViolations(alice)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('composer', () => {
  it(
    'counts past 1,800 characters; the length error goes as soon as the text is edited',
    async () => {
      const { a: alice } = await pair(PHONE);
      const box = alice.getByRole('textbox', { name: 'Message' });
      await box.fill('x'.repeat(1799));
      expect(await alice.getByText('characters left').count()).toBe(0);
      await box.fill('x'.repeat(1850));
      await alice.getByText('150 characters left').waitFor();
      await box.fill('x'.repeat(2001));
      await alice.getByText('1 characters too many').waitFor();
      await box.press('Enter');
      const problem = alice.getByRole('alert').getByText('Messages are at most 2000 characters.');
      await problem.waitFor();
      expect(await axeViolations(alice)).toEqual([]);
      await box.press('Backspace');
      await problem.waitFor({ state: 'detached' });
      await alice.getByText('0 characters left').waitFor();
    },
    TEST_TIMEOUT_MS,
  );
});

describe('recovery code', () => {
  it(
    'Continue works at once, saved or not; Download .txt; reloading asks first; Log out is one click with a reminder and a way to a new code',
    async () => {
      const page = await pageAt(PHONE);
      await page.goto(suite.server.url);
      await page.getByRole('textbox', { name: 'Nickname' }).fill('Kim');
      await page.getByRole('checkbox', { name: 'I am 18 or older' }).check();
      await page.getByRole('button', { name: 'Start chatting' }).click();
      await page.getByLabel('Your recovery code').waitFor();
      // "I have saved it" is there to encourage, not to hold Continue back.
      const cont = page.getByRole('button', { name: 'Continue' });
      expect(await page.getByRole('checkbox', { name: 'I have saved it' }).isChecked()).toBe(false);
      expect(await cont.isEnabled()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);

      // Leaving while the code is shown: the browser asks (and Kim stays).
      const asked = page.waitForEvent('dialog');
      const reload = page.reload().catch(() => undefined);
      const dialog = await asked;
      expect(dialog.type()).toBe('beforeunload');
      await dialog.dismiss();
      await reload;
      await page.getByLabel('Your recovery code').waitFor();

      // Download .txt: the file holds the code, and it counts as saved.
      const code = (await page.getByLabel('Your recovery code').textContent()) ?? '';
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .txt' }).click()]);
      expect(download.suggestedFilename()).toBe('metsony-recovery-code.txt');
      const stream = await download.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toContain(code);
      expect(await page.getByRole('checkbox', { name: 'I have saved it' }).isChecked()).toBe(true);
      await cont.click();
      // One click: the code screen goes and the first search starts.
      await page.getByLabel('Your recovery code').waitFor({ state: 'detached' });
      await page.getByText('Now looking for anyone').waitFor();

      // Settings: next to Log out, a reminder that the code is the only way back, and a way to a new one.
      await page.getByRole('link', { name: 'Settings' }).click();
      const reminder = page.locator('#logout-reminder');
      await reminder.getByText('Your recovery code is the only way back into this account.', { exact: false }).waitFor();
      expect(await page.getByRole('button', { name: 'Log out' }).getAttribute('aria-describedby')).toBe('logout-reminder');
      expect(await axeViolations(page)).toEqual([]);
      await reminder.getByRole('button', { name: 'Get a new code first' }).click();
      const rotate = page.getByRole('dialog', { name: 'Replace your recovery code?' });
      await rotate.waitFor();
      await expect.poll(() => activeText(page)).toBe('Replace your recovery code?');
      await rotate.getByRole('button', { name: 'Cancel' }).click();
      await rotate.waitFor({ state: 'detached' });

      // Log out: one click, no question.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('checkbox', { name: 'I am 18 or older' }).waitFor();
      expect(await page.evaluate(() => localStorage.getItem('metsony.token'))).toBeNull();
    },
    TEST_TIMEOUT_MS,
  );
});

/** Runs in every page before the app: a tab we can hide, and a record of the notifications and tones. */
function alertProbe(): void {
  const w = window as unknown as Record<string, unknown>;
  let hidden = false;
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  w.__setHidden = (value: boolean) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  const notes: { title: string; body?: string }[] = [];
  w.__notes = notes;
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      notes.push({ title, body: options?.body });
      super(title, options);
    }
  }
  w.Notification = Recorded;
  let tones = 0;
  w.__tones = () => tones;
  const oscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    tones += 1;
    return oscillator.call(this);
  };
}

describe('alerts in the background', () => {
  it(
    'title, sound and a notification for a match and a message while hidden; nothing while seen; a match in Settings offers Go to chat',
    async () => {
      const interest = unique('alert');
      const origin = new URL(suite.server.url).origin;
      const alice = await profiles.newPage({
        context: { viewport: DESKTOP },
        prepare: async (context) => {
          await context.grantPermissions(['notifications'], { origin });
          await context.addInitScript(alertProbe);
        },
      });
      const bob = await pageAt(DESKTOP);
      await signUpAndSearch(alice, suite.server.url, 'Alice', [interest]);

      // While searching, Alice goes to Settings: sound on, notifications already allowed, a half-typed nickname.
      await alice.getByRole('link', { name: 'Settings' }).click();
      await alice.getByRole('checkbox', { name: 'Play a sound for new matches and messages' }).check();
      await alice.getByText('Notifications are on').waitFor();
      expect(await alice.evaluate(() => localStorage.getItem('metsony.sound'))).toBe('on');
      expect(await axeViolations(alice)).toEqual([]);
      await alice.getByRole('textbox', { name: 'Nickname' }).fill('Alice Draft');
      const tonesBefore = await alice.evaluate(() => (window as unknown as { __tones(): number }).__tones());

      await alice.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(true));
      await signUpAndSearch(bob, suite.server.url, 'Bob', [interest]);
      await bob.locator('.partner-name', { hasText: 'Alice' }).waitFor();

      await expect.poll(() => alice.title()).toBe('Matched! · METSONY');
      const notes = () => alice.evaluate(() => (window as unknown as { __notes: unknown[] }).__notes);
      await expect.poll(notes).toEqual([{ title: 'Matched!', body: `Matched with Bob. You both like ${interest}.` }]);
      expect(await alice.evaluate(() => (window as unknown as { __tones(): number }).__tones())).toBeGreaterThan(tonesBefore);

      await sendMessage(bob, 'secret words');
      await sendMessage(bob, 'more secret words');
      await expect.poll(() => alice.title()).toBe('(2) New messages · METSONY');
      await expect.poll(async () => (await notes()).length).toBe(3);
      // The notification says who, never what.
      expect(JSON.stringify(await notes())).not.toContain('secret');

      // Seen again: the title is back. Alice was not pulled out of Settings, and her draft is there.
      await alice.evaluate(() => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(false));
      await expect.poll(() => alice.title()).toBe('METSONY: anonymous chat');
      expect(await alice.getByRole('textbox', { name: 'Nickname' }).inputValue()).toBe('Alice Draft');
      expect(await axeViolations(alice)).toEqual([]);
      await alice.getByRole('link', { name: 'Go to chat' }).click();
      await alice.getByRole('log').getByText('more secret words').waitFor();

      // While seen, a message changes nothing.
      await sendMessage(bob, 'seen at once');
      await alice.getByRole('log').getByText('seen at once').waitFor();
      expect(await alice.title()).toBe('METSONY: anonymous chat');
      expect((await notes()).length).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );
});
