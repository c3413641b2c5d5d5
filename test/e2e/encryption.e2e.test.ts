/**
 * End to end, in headless Chromium (issue 16): two people's chat is end-to-end
 * encrypted and both see the same safety code; a frame altered on the way (a
 * WebSocket proxy between one browser and the server) shows "Could not decrypt
 * this message" and the chat goes on; Reveal profile goes through the same
 * channel: the frame on the wire holds no plaintext of the profile, and one
 * altered on the way shows "Could not decrypt this profile"; a connection's
 * offline message, sealed to the recipient, opens on a new device signed in
 * with the recovery code.
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

/** Flips one character of an encrypted profile's ciphertext, keeping the envelope well-formed. */
function tamperRevealed(frame: Record<string, unknown>): Record<string, unknown> {
  if (frame.type !== 'revealed' || frame.e2e !== true || typeof frame.text !== 'string') return frame;
  const text = frame.text;
  const i = text.length - 5;
  return { ...frame, text: text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1) };
}

/** Two people matched in an end-to-end encrypted chat; the second one's socket goes through the proxy. */
async function encryptedChat(names: [string, string]): Promise<[Page, Page]> {
  const shared = `reveal-${Math.random().toString(36).slice(2, 10)}`;
  const [one, two] = await Promise.all([profiles.newPage(), profiles.newPage()]);
  await Promise.all([signUpAndSearch(one, server.url, names[0], [shared]), signUpAndSearch(two, proxy.url, names[1], [shared])]);
  await one.locator('.partner-name', { hasText: names[1] }).waitFor();
  await one.getByText('End-to-end encrypted.', { exact: true }).waitFor();
  await two.getByText('End-to-end encrypted.', { exact: true }).waitFor();
  return [one, two];
}

/** Fills the private profile in Settings, back to the chat, and reveals it (with the dialog's second press). */
async function reveal(page: Page, profile: { firstName: string; age: string; location: string }): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'First name' }).fill(profile.firstName);
  await page.getByRole('spinbutton', { name: 'Age' }).fill(profile.age);
  await page.getByRole('textbox', { name: 'Location' }).fill(profile.location);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat' }).click();
  await page.getByRole('button', { name: 'Reveal profile' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Reveal profile' }).click();
}

const letters = () => Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

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
    'Reveal profile goes through the channel: the partner sees it, the wire and the server never hold it in clear',
    async () => {
      const [alice, bob] = await encryptedChat(['Alice', 'Bob']);
      const firstName = `Zoe${letters()}`;
      const town = `Town${letters()}`;
      const onTheWire: Record<string, unknown>[] = [];
      proxy.rewrite = (frame) => {
        if (frame.type === 'revealed') onTheWire.push(frame);
        return frame;
      };

      await reveal(alice, { firstName, age: '31', location: town });
      await alice.getByRole('log').getByText('You revealed your profile to Bob:').waitFor();
      const bobLog = bob.getByRole('log');
      await bobLog.getByText('Alice revealed their profile:').waitFor();
      await bobLog.getByText(firstName, { exact: true }).waitFor();
      await bobLog.getByText(town, { exact: true }).waitFor();
      await bobLog.getByText('31', { exact: true }).waitFor();

      // What the server relayed to Bob: an envelope, without the profile's words.
      expect(onTheWire).toHaveLength(1);
      expect(onTheWire[0]).toMatchObject({ type: 'revealed', e2e: true, text: expect.stringMatching(/^e2e1\.\d+\./u) });
      expect(onTheWire[0]).not.toHaveProperty('profile');
      const wire = JSON.stringify(onTheWire[0]);
      for (const value of [firstName, town, 'firstName', 'location']) expect(wire).not.toContain(value);
      expect(server.output()).not.toContain(firstName);
      expect(server.output()).not.toContain(town);

      // The chat's messages go on after it, on the same counters.
      await sendMessage(alice, 'After the reveal');
      await bobLog.getByText('After the reveal', { exact: true }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a revealed profile altered on the way shows "Could not decrypt this profile" and the chat goes on',
    async () => {
      const [carol, dave] = await encryptedChat(['Carol', 'Dave']);
      const firstName = `Cara${letters()}`;
      proxy.rewrite = tamperRevealed;
      await reveal(carol, { firstName, age: '40', location: `Place${letters()}` });
      const daveLog = dave.getByRole('log');
      await daveLog.getByText('Could not decrypt this profile', { exact: true }).waitFor();
      expect(await daveLog.getByText(firstName).count()).toBe(0);

      proxy.rewrite = (frame) => frame;
      await sendMessage(carol, 'Still talking');
      await daveLog.getByText('Still talking', { exact: true }).waitFor();
      await sendMessage(dave, 'Me too');
      await carol.getByRole('log').getByText('Me too', { exact: true }).waitFor();
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
