/**
 * End to end, in headless Chromium: an AI partner (P11) and Translate, with
 * the real server process talking to a local fake of the OpenAI-compatible
 * API (test/helpers/fakeOpenAi.ts: it answers "AI says: <last message>" and
 * translates by prefixing "[<to>] ").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { type FakeOpenAi, startFakeOpenAi } from '../helpers/fakeOpenAi.js';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.js';
import { E2E_SERVER_ENV, sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 30_000;

let fake: FakeOpenAi;
/** Each test starts the server it needs (startServer below). */
const servers: ServerProcess[] = [];

// Registered before the suite's hooks, so these "after" hooks run after its own: a test's pages close before its server stops.
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});
afterAll(async () => {
  await fake?.close();
});

const { profiles } = e2eSuite({ server: false });

async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ env: { ...E2E_SERVER_ENV, AI_BASE_URL: fake.url, AI_MODEL: 'fake-model', ...env } });
  servers.push(server);
  return server;
}

/** A fresh browser profile, in English (Translate asks for the reader's language). */
const newPage = () => profiles.newPage({ context: { locale: 'en-US' } });

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

describe('AI partner', () => {
  it(
    'fills in when nobody is found, says plainly that it is an AI, cannot be connected to, and answers',
    async () => {
      const server = await startServer({ AI_PARTNER_AFTER_MS: '500' });
      const page = await newPage();
      const interest = unique('ai');
      await signUpAndSearch(page, server.url, 'Alice', [interest]);

      // Nobody else is searching: after AI_PARTNER_AFTER_MS an AI partner comes.
      const heading = page.getByRole('heading', { level: 1 });
      // Sign-up makes the identity key (scrypt) meanwhile: on a busy machine the match takes a while.
      await heading.locator('.badge-ai', { hasText: 'AI' }).waitFor({ timeout: 30_000 });
      expect(await heading.textContent()).toMatch(/AI$/);
      await page.getByText('You are chatting with an AI, not a person.', { exact: false }).waitFor();
      await page.getByText(`You both like: ${interest}`).waitFor();
      expect(await page.getByRole('button', { name: 'Connect' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Reveal profile' }).isDisabled()).toBe(true);
      // The rest works as usual.
      expect(await page.getByRole('button', { name: 'Next' }).isEnabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Report' }).isEnabled()).toBe(true);

      const text = `Hello machine ${unique('m')}`;
      await sendMessage(page, text);
      await page.getByRole('log').getByText(`AI says: ${text}`, { exact: true }).waitFor();
      expect(fake.requests.some((r) => r.messages.some((m) => m.role === 'user' && m.content === text))).toBe(true);
      // Nothing of the conversation is logged.
      expect(server.output()).not.toContain(text);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Translate', () => {
  it(
    'translates a message received from a person into the reader\'s language, under the original',
    async () => {
      // No AI partner can get in the way of the two people here.
      const server = await startServer({ AI_PARTNER_AFTER_MS: '60000' });
      const shared = unique('tr');
      const [alice, bob] = await Promise.all([newPage(), newPage()]);
      await Promise.all([
        signUpAndSearch(alice, server.url, 'Alice', [shared]),
        signUpAndSearch(bob, server.url, 'Bob', [shared]),
      ]);
      await alice.locator('.partner-name', { hasText: 'Bob' }).waitFor();
      await bob.locator('.partner-name', { hasText: 'Alice' }).waitFor();
      expect(await alice.locator('.badge-ai').count()).toBe(0);

      const original = 'Olá, como você está hoje? Tudo bem?';
      await sendMessage(bob, original);
      const log = alice.getByRole('log');
      await log.getByText(original, { exact: true }).waitFor();
      // Only what others sent can be translated: Bob's own message has no Translate.
      expect(await bob.getByRole('button', { name: 'Translate' }).count()).toBe(0);
      // A message already in Alice's language (the browser's en-US) offers no Translate either.
      const english = 'What are you doing this weekend? I like the sea.';
      await sendMessage(bob, english);
      const englishItem = log.getByRole('listitem').filter({ hasText: english });
      await englishItem.waitFor();
      expect(await englishItem.getByRole('button', { name: 'Translate' }).count()).toBe(0);
      expect(await log.getByRole('listitem').filter({ hasText: original }).getByRole('button', { name: 'Translate' }).count()).toBe(1);

      await log.getByRole('button', { name: 'Translate' }).click();
      const translation = log.locator('.msg-translation');
      await translation.getByText(`[en] ${original}`, { exact: true }).waitFor();
      await translation.getByText('Translated from Portuguese:').waitFor();
      // The original stays, and the translation took the button's place.
      expect(await log.getByText(original, { exact: true }).count()).toBe(1);
      expect(await log.getByRole('button', { name: 'Translate' }).count()).toBe(0);
      expect(server.output()).not.toContain(original);
    },
    TEST_TIMEOUT_MS,
  );
});
