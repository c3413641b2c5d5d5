/**
 * End to end, in headless Chromium (issue 16): two people's chat is end-to-end
 * encrypted and both see the same safety code; a frame altered on the way (a
 * WebSocket proxy between one browser and the server) shows "Could not decrypt
 * this message" and the chat goes on; a connection's offline message, sealed to
 * the recipient, opens on a new device signed in with the recovery code.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { E2E_SERVER_ENV, Profiles, sendMessage, signUpAndSearch } from '../helpers/webApp.js';
import { WsTamperProxy } from '../helpers/wsTamperProxy.js';

const TEST_TIMEOUT_MS = 90_000;

let server: ServerProcess;
let browser: Browser;
let proxy: WsTamperProxy;
const profiles = new Profiles(() => browser);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess({ env: E2E_SERVER_ENV }), launchBrowser()]);
  proxy = await WsTamperProxy.start(server.url);
}, 60_000);

afterEach(async () => {
  proxy.rewrite = (frame) => frame;
  await profiles.closeAll();
  expect(profiles.cspProblems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await proxy?.close();
  await browser?.close();
  await server?.stop();
});

const safetyCode = async (page: Page) => (await page.locator('.safety-code').textContent())?.trim() ?? '';

/** Flips one character of an encrypted message's ciphertext, keeping the envelope well-formed. */
function tamper(frame: Record<string, unknown>): Record<string, unknown> {
  if (frame.type !== 'message' || frame.e2e !== true || typeof frame.text !== 'string') return frame;
  const text = frame.text;
  const i = text.length - 5;
  return { ...frame, text: text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1) };
}

describe('end-to-end encryption in the browser', () => {
  it(
    'both see "End-to-end encrypted" and the same safety code; a tampered frame shows "Could not decrypt this message"',
    async () => {
      const shared = `e2ee-${Math.random().toString(36).slice(2, 10)}`;
      const [alice, bob] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      await Promise.all([signUpAndSearch(alice, server.url, 'Alice', [shared]), signUpAndSearch(bob, proxy.url, 'Bob', [shared])]);
      await alice.locator('.partner-name', { hasText: 'Bob' }).waitFor();
      await alice.getByText('End-to-end encrypted.', { exact: true }).waitFor();
      await bob.getByText('End-to-end encrypted.', { exact: true }).waitFor();
      const code = await safetyCode(alice);
      expect(code).toMatch(/^\d{5}( \d{5}){4}$/u);
      expect(await safetyCode(bob)).toBe(code);

      await sendMessage(alice, 'First, untouched');
      await bob.getByRole('log').getByText('First, untouched', { exact: true }).waitFor();

      proxy.rewrite = tamper;
      await sendMessage(alice, 'Second, altered on the way');
      await bob.getByRole('log').getByText('Could not decrypt this message', { exact: true }).waitFor();
      expect(await bob.getByRole('log').getByText('Second, altered on the way').count()).toBe(0);

      // The chat goes on: the next message, untouched, opens.
      proxy.rewrite = (frame) => frame;
      await sendMessage(alice, 'Third, untouched again');
      await bob.getByRole('log').getByText('Third, untouched again', { exact: true }).waitFor();
      await sendMessage(bob, 'Bob answers');
      await alice.getByRole('log').getByText('Bob answers', { exact: true }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a sealed offline message from a connection opens on a new device signed in with the recovery code',
    async () => {
      const shared = `seal-${Math.random().toString(36).slice(2, 10)}`;
      const [hana, ivan] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      const [, ivanCode] = await Promise.all([signUpAndSearch(hana, server.url, 'Hana', [shared]), signUpAndSearch(ivan, server.url, 'Ivan', [shared])]);
      await hana.locator('.partner-name', { hasText: 'Ivan' }).waitFor();
      await hana.getByRole('button', { name: 'Connect' }).click();
      await ivan.getByRole('button', { name: 'Connect' }).click();
      await hana.getByText('Connected', { exact: true }).waitFor();
      await hana.getByRole('button', { name: 'Stop' }).click();
      // Ivan's device goes away for good: his key lives on only wrapped, under his code.
      await ivan.context().close();

      await hana.getByRole('link', { name: /Connections/ }).click();
      await hana.getByRole('link', { name: /Ivan/ }).locator('.connection-state', { hasText: 'offline' }).waitFor();
      await hana.getByRole('link', { name: /Ivan/ }).click();
      await hana.getByRole('log', { name: 'Conversation with Ivan' }).waitFor();
      const secret = `Sealed for Ivan ${Math.random().toString(36).slice(2, 8)}`;
      await sendMessage(hana, secret);
      await hana.getByRole('log').locator('.msg-state.stored').waitFor();

      const device = await profiles.newPage();
      await device.goto(server.url);
      await device.getByRole('button', { name: 'I have a recovery code' }).click();
      await device.getByRole('textbox', { name: 'Recovery code' }).fill(ivanCode);
      await device.getByRole('button', { name: 'Sign in' }).click();
      await device.getByRole('link', { name: /Connections/ }).click();
      await device.getByRole('link', { name: /Hana/ }).click();
      await device.getByRole('log', { name: 'Conversation with Hana' }).getByText(secret, { exact: true }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );
});
