/**
 * End to end, issue 13 item 6: connections like a messenger. Two people who connected write in their
 * thread: times on messages, Delivered then Read as the other reads, the last message and its time in
 * the list, the thread kept on the device across a reload (IndexedDB), Remove connection behind More,
 * and Log out wiping the kept threads.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 90_000;

const suite = e2eSuite();
const { profiles } = suite;

/** The names of this origin's IndexedDB databases. */
const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

async function openThread(page: Page, nickname: string): Promise<void> {
  await page.getByRole('link', { name: /Connections/ }).click();
  await page.getByRole('link', { name: new RegExp(nickname) }).click();
  await page.getByRole('log', { name: `Conversation with ${nickname}` }).waitFor();
}

describe('connections like a messenger', () => {
  it(
    'times, Delivered then Read, the last message in the list, history across a reload, More › Remove connection, Log out wipes it',
    async () => {
      const shared = `dm-${Math.random().toString(36).slice(2, 10)}`;
      const [hana, ivan] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      const [hanaCode] = await Promise.all([
        signUpAndSearch(hana, suite.server.url, 'Hana', [shared]),
        signUpAndSearch(ivan, suite.server.url, 'Ivan', [shared]),
      ]);
      await hana.locator('.partner-name', { hasText: 'Ivan' }).waitFor();
      await hana.getByRole('button', { name: 'Connect' }).click();
      await ivan.getByRole('button', { name: 'Connect' }).click();
      await hana.getByText('Connected', { exact: true }).waitFor();
      await ivan.getByText('Connected', { exact: true }).waitFor();
      await hana.getByRole('button', { name: 'Stop' }).click();

      // Hana writes while Ivan is elsewhere in the app: delivered (he is online), not read.
      await openThread(hana, 'Ivan');
      await sendMessage(hana, 'Hello Ivan, from the thread');
      const own = hana.getByRole('listitem').filter({ hasText: 'Hello Ivan, from the thread' });
      await own.getByText('Delivered').waitFor();
      expect(await own.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(await axeViolations(hana)).toEqual([]);

      // Ivan opens the thread: the message, with its time; Hana's turns Read.
      await openThread(ivan, 'Hana');
      const got = ivan.getByRole('listitem').filter({ hasText: 'Hello Ivan, from the thread' });
      await got.waitFor();
      expect(await got.locator('time').textContent()).toMatch(/\d/);
      await own.getByText('Read', { exact: true }).waitFor();
      await sendMessage(ivan, 'Hi Hana!');
      await hana.getByRole('listitem').filter({ hasText: 'Hi Hana!' }).waitFor();

      // The list shows the last message and its time.
      await hana.getByRole('link', { name: /Connections/ }).click();
      const row = hana.getByRole('link', { name: /Ivan/ });
      await row.getByText('Hi Hana!').waitFor();
      expect(await row.locator('time').count()).toBe(1);
      expect(await axeViolations(hana)).toEqual([]);

      // A reload keeps the thread (on this device only), with the Read state.
      await hana.reload();
      await openThread(hana, 'Ivan');
      await hana.getByRole('listitem').filter({ hasText: 'Hello Ivan, from the thread' }).getByText('Read', { exact: true }).waitFor();
      await hana.getByRole('listitem').filter({ hasText: 'Hi Hana!' }).waitFor();
      expect(await databases(hana)).toContain('metsony');

      // Remove connection sits behind More, away from Send; Escape closes the menu and gives focus back.
      expect(await hana.getByRole('button', { name: 'Remove connection' }).count()).toBe(0);
      const more = hana.getByRole('button', { name: 'More' });
      await more.click();
      await hana.getByRole('button', { name: 'Remove connection' }).waitFor();
      expect(await more.getAttribute('aria-expanded')).toBe('true');
      expect(await axeViolations(hana)).toEqual([]);
      await hana.keyboard.press('Escape');
      await expect.poll(() => hana.getByRole('button', { name: 'Remove connection' }).count()).toBe(0);
      expect(await hana.evaluate(() => document.activeElement?.textContent)).toBe('More');

      // Log out wipes the kept threads: signing in again on this device shows none.
      await hana.getByRole('link', { name: 'Settings' }).click();
      await hana.getByRole('button', { name: 'Log out' }).click();
      await hana.getByRole('button', { name: 'I have a recovery code' }).waitFor();
      await expect.poll(() => databases(hana)).not.toContain('metsony');
      await hana.getByRole('button', { name: 'I have a recovery code' }).click();
      await hana.getByRole('textbox', { name: 'Recovery code' }).fill(hanaCode);
      await hana.getByRole('button', { name: 'Sign in' }).click();
      await openThread(hana, 'Ivan');
      await hana.getByText('No messages yet', { exact: false }).waitFor();
      expect(await hana.getByText('Hello Ivan, from the thread').count()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
