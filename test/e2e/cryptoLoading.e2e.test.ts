/**
 * End to end, in headless Chromium: the first visit (Nickname / Interests /
 * Start chatting) downloads none of the end-to-end encryption code; it comes
 * once it is needed (after sign-up, at a match), and the chat is then
 * encrypted as before, messages typed at once included.
 */
import type { Page, Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { E2E_SERVER_ENV, sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 90_000;

const suite = e2eSuite({ env: E2E_SERVER_ENV });
const { profiles } = suite;

/**
 * Strings that only the encryption code holds and that survive minification:
 * the labels of docs/encryption.md (chat key derivation, safety code, identity
 * wrap) and an error message of @noble/curves.
 */
const CRYPTO_MARKERS = ['metsony chat v1', 'metsony safety code v1', 'metsony identity wrap v1', 'expected Point instance'];

type Script = { url: string; body: string };

/** Every script the page receives from now on, with its body; `settled()` waits for the bodies still being read. */
function recordScripts(page: Page): { scripts: Script[]; settled: () => Promise<unknown> } {
  const scripts: Script[] = [];
  const reading: Array<Promise<void>> = [];
  page.on('response', (response: Response) => {
    if (response.request().resourceType() !== 'script') return;
    reading.push(
      response.text().then(
        (body) => void scripts.push({ url: new URL(response.url()).pathname, body }),
        () => undefined,
      ),
    );
  });
  return { scripts, settled: () => Promise.all(reading) };
}

const withCrypto = (scripts: Script[]) =>
  scripts.filter((s) => CRYPTO_MARKERS.some((marker) => s.body.includes(marker))).map((s) => s.url);

describe('the encryption code is fetched when it is needed, not with the first page', () => {
  it(
    'the landing page loads no cryptography; after sign-up and a match it is there and the chat is encrypted',
    async () => {
      const shared = `lazy-${Math.random().toString(36).slice(2, 10)}`;
      const alice = await profiles.newPage();
      const { scripts, settled } = recordScripts(alice);
      await alice.goto(suite.server.url);
      await alice.getByRole('button', { name: 'Start chatting' }).waitFor();
      await alice.waitForLoadState('networkidle');
      await settled();
      // The first page did load its scripts (the entry and the chunks of the first visit)…
      expect(scripts.some((s) => s.url.startsWith('/assets/index-'))).toBe(true);
      // …and none of them holds the encryption code.
      expect(withCrypto(scripts)).toEqual([]);
      // Nor is it announced for preloading.
      const preloaded = await alice.locator('link[rel="modulepreload"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
      expect(preloaded.length).toBeGreaterThan(0);
      for (const href of preloaded) {
        const body = await (await alice.request.get(href)).text();
        expect(CRYPTO_MARKERS.filter((marker) => body.includes(marker)), href).toEqual([]);
      }

      // Once it is needed, it comes, and works: both see an encrypted chat, and a message sent at once opens.
      const bob = await profiles.newPage();
      await Promise.all([signUpAndSearch(alice, suite.server.url, 'Alice', [shared]), signUpAndSearch(bob, suite.server.url, 'Bob', [shared])]);
      await alice.locator('.partner-name', { hasText: 'Bob' }).waitFor();
      await sendMessage(alice, 'Typed the moment we matched');
      await alice.getByText('End-to-end encrypted.', { exact: true }).waitFor();
      await bob.getByText('End-to-end encrypted.', { exact: true }).waitFor();
      await bob.getByRole('log').getByText('Typed the moment we matched', { exact: true }).waitFor();
      await settled();
      expect(withCrypto(scripts).length).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});
