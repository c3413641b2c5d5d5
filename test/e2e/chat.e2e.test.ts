/**
 * End to end, in headless Chromium against the real server serving the built
 * web app (dist/web; `npm test` builds it first). Controls are found by the
 * accessible names of PROTOCOL.md §4, exactly as an outside test would.
 */
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { E2E_SERVER_ENV, CSP_MESSAGE, WAIT_MS, sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 30_000;

/** Fresh profiles, as people on other devices. CSP violations on any page of any test: each test must leave none. */
const suite = e2eSuite({ env: E2E_SERVER_ENV });
const { profiles } = suite;

describe('two strangers in two browsers', () => {
  it(
    'sign up, get matched on a shared interest, chat both ways, and Next tells the other that the stranger left',
    async () => {
      const shared = `e2e-${Math.random().toString(36).slice(2, 10)}`;
      const [alice, bob] = await Promise.all([profiles.newPage(), profiles.newPage()]);

      const [aliceCode, bobCode] = await Promise.all([
        signUpAndSearch(alice, suite.server.url, 'Alice', [shared, 'chess']),
        signUpAndSearch(bob, suite.server.url, 'Bob', ['films', shared]),
      ]);
      expect(aliceCode).toMatch(/^[a-z]+(?:-[a-z]+){3,}$/);
      expect(bobCode).toMatch(/^[a-z]+(?:-[a-z]+){3,}$/);
      expect(aliceCode).not.toBe(bobCode);

      // Each sees the other as partner, with the shared interest.
      await alice.locator('.partner-name', { hasText: 'Bob' }).waitFor();
      await bob.locator('.partner-name', { hasText: 'Alice' }).waitFor();
      await alice.getByText(`You both like: ${shared}`).waitFor();
      // The nickname is shown in the header while signed in.
      await alice.getByRole('banner').getByText('Alice', { exact: true }).waitFor();
      expect(await axeViolations(alice)).toEqual([]);

      await sendMessage(alice, 'Hello from Alice <b>not bold</b>', 'enter');
      await bob.getByRole('log').getByText('Hello from Alice <b>not bold</b>').waitFor();
      // Text is rendered as text, never as HTML.
      expect(await bob.getByRole('log').locator('b').count()).toBe(0);

      await sendMessage(bob, 'Hi Alice, Bob here', 'button');
      await alice.getByRole('log').getByText('Hi Alice, Bob here').waitFor();
      // The own message is marked delivered once the server confirms it.
      await bob.getByRole('log').locator('.msg-own .msg-state.delivered').waitFor();

      await alice.getByRole('button', { name: 'Next' }).click();
      await bob.getByRole('log').getByText('Stranger left.').waitFor();
      await alice.getByText(/Looking for someone who shares your interests…|Now looking for anyone/).waitFor();

      // Bob's history stays, and searching again is one click away.
      expect(await bob.getByRole('log').getByText('Hi Alice, Bob here').count()).toBe(1);
      await bob.getByRole('button', { name: 'Next' }).waitFor();
      expect(await bob.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('connections', () => {
  it(
    'both press Connect; a message to an offline connection waits and is shown when they come back',
    async () => {
      const shared = `conn-${Math.random().toString(36).slice(2, 10)}`;
      const [hana, ivan] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      await Promise.all([
        signUpAndSearch(hana, suite.server.url, 'Hana', [shared]),
        signUpAndSearch(ivan, suite.server.url, 'Ivan', [shared]),
      ]);
      await hana.locator('.partner-name', { hasText: 'Ivan' }).waitFor();

      await hana.getByRole('button', { name: 'Connect' }).click();
      await hana.getByText('Waiting for them…').waitFor();
      await ivan.getByText('Hana wants to connect', { exact: false }).waitFor();
      await ivan.getByRole('button', { name: 'Connect' }).click();
      await hana.getByText('Connected', { exact: true }).waitFor();
      await ivan.getByText('Connected', { exact: true }).waitFor();
      await hana.getByRole('button', { name: 'Stop' }).click();

      // Ivan closes his tab; Hana writes to him from Connections.
      const ivanContext = ivan.context();
      await ivan.close();
      await hana.getByRole('link', { name: 'Connections' }).click();
      await hana.getByRole('link', { name: /Ivan/ }).click();
      await hana.getByText('Offline', { exact: false }).first().waitFor();
      await hana.getByRole('textbox', { name: 'Message' }).fill('See you later, Ivan');
      await hana.getByRole('button', { name: 'Send' }).click();
      await hana.getByText('will be delivered when they come back', { exact: false }).waitFor();

      // Ivan comes back (same browser, so still signed in): a badge, then the message.
      const back = await ivanContext.newPage();
      back.setDefaultTimeout(WAIT_MS);
      await back.goto(suite.server.url);
      await back.getByRole('link', { name: /Connections/ }).getByText('1').waitFor();
      await back.getByRole('link', { name: /Connections/ }).click();
      await back.getByRole('link', { name: /Hana/ }).click();
      await back.getByRole('log').getByText('See you later, Ivan').waitFor();

      // Shown means read: the server no longer keeps it.
      const token = await back.evaluate(() => localStorage.getItem('metsony.token'));
      await expect
        .poll(async () => {
          const res = await fetch(`${suite.server.url}/api/inbox`, { headers: { authorization: `Bearer ${token}` } });
          return ((await res.json()) as { messages: unknown[] }).messages.length;
        })
        .toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('privacy of the page itself', () => {
  it(
    'loads nothing from another origin and breaks no rule of the CSP on any screen',
    async () => {
      const page = await profiles.newPage();
      const origin = new URL(suite.server.url).origin;
      const requests: string[] = [];
      const sockets: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('websocket', (ws) => sockets.push(ws.url()));
      page.on('pageerror', (error) => {
        if (CSP_MESSAGE.test(error.message)) profiles.cspProblems.push(error.message);
      });
      // Violations also fire an event in the page; keep them where the test can read them.
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
      });

      const response = await page.goto(suite.server.url);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

      // First visit, the recovery-code form, the policy pages.
      await page.getByRole('button', { name: 'I have a recovery code' }).click();
      await page.getByRole('textbox', { name: 'Recovery code' }).fill('not-a-real-code-at-all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That recovery code does not match any account.', { exact: false }).waitFor();
      await page.getByRole('link', { name: 'Privacy Policy' }).click();
      await page.getByRole('heading', { name: 'Privacy Policy', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Terms of Service' }).click();
      await page.getByRole('heading', { name: 'Terms of Service', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Back to METSONY' }).click();

      // Sign up, then the signed-in screens (home, searching, settings, connections).
      await signUpAndSearch(page, suite.server.url, 'Carol', [`csp-${Date.now()}`]);
      await page.getByText(/Looking for someone who shares your interests…|Now looking for anyone/).waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Start chatting' }).waitFor();
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Delete everything' }).waitFor();
      await page.getByRole('link', { name: 'Connections' }).click();
      await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
      expect(await page.evaluate(() => localStorage.length)).toBeGreaterThan(0);

      // Log out clears this browser and shows the first visit again.
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('checkbox', { name: 'I am 18 or older' }).waitFor();
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
      expect((await page.context().cookies()).length).toBe(0);

      const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
      expect(violations).toEqual([]);
      expect(profiles.cspProblems).toEqual([]);
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      expect(sockets.length).toBeGreaterThan(0);
      expect(sockets.filter((url) => new URL(url).host !== new URL(origin).host)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('leaving for good', () => {
  it(
    'Delete everything asks to confirm, then clears the browser and the recovery code no longer signs in',
    async () => {
      const page = await profiles.newPage();
      const code = await signUpAndSearch(page, suite.server.url, 'Dave', []);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Delete everything' }).click();
      // The confirmation lists what goes, and has its own Delete everything button.
      const dialog = page.getByRole('dialog');
      await dialog.getByText('your connections', { exact: true }).waitFor();
      await dialog.getByRole('button', { name: 'Delete everything' }).click();

      await page.getByRole('checkbox', { name: 'I am 18 or older' }).waitFor();
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

      // The notice "Your account … have been deleted." arrives with the first visit and moves the page:
      // on a busy machine a click can land while it does, so click again (bounded) until the form is there.
      const codeBox = page.getByRole('textbox', { name: 'Recovery code' });
      await vi.waitFor(
        async () => {
          if (await codeBox.isVisible()) return;
          await page.getByRole('button', { name: 'I have a recovery code' }).click({ timeout: 2000 });
          await codeBox.waitFor({ timeout: 2000 });
        },
        { timeout: 15_000, interval: 100 },
      );
      await codeBox.fill(code);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That recovery code does not match any account.', { exact: false }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a token revoked elsewhere shows the first visit again, and the recovery code signs back in',
    async () => {
      const page = await profiles.newPage();
      const code = await signUpAndSearch(page, suite.server.url, 'Erin', []);
      await page.getByRole('button', { name: 'Cancel' }).click();
      const token = await page.evaluate(() => localStorage.getItem('metsony.token'));
      expect(token).toBeTruthy();
      const revoked = await fetch(`${suite.server.url}/api/sessions/current`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(revoked.status).toBe(204);

      await page.reload();
      await page.getByRole('checkbox', { name: 'I am 18 or older' }).waitFor();
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

      await page.getByRole('button', { name: 'I have a recovery code' }).click();
      await page.getByRole('textbox', { name: 'Recovery code' }).fill(code.toUpperCase().replaceAll('-', ' '));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('banner').getByText('Erin', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Start chatting' }).waitFor();
    },
    TEST_TIMEOUT_MS,
  );
});

describe('reveal profile', () => {
  it(
    'shows exactly what will be shared, sends it only after confirming, and the server keeps none of it',
    async () => {
      const { findInFiles } = await import('../helpers/forensic.js');
      const shared = `e2e-${Math.random().toString(36).slice(2, 10)}`;
      const unique = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(''); // letters only: '31' must match the age alone
      const firstName = `Zoe${unique}`;
      const town = `Town${unique}`;
      const [alice, bob] = await Promise.all([profiles.newPage(), profiles.newPage()]);
      await Promise.all([
        signUpAndSearch(alice, suite.server.url, 'Alice', [shared]),
        signUpAndSearch(bob, suite.server.url, 'Bob', [shared]),
      ]);
      await alice.locator('.partner-name', { hasText: 'Bob' }).waitFor();

      // The private profile is filled in Settings and kept on this device only.
      await alice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await alice.getByRole('textbox', { name: 'First name' }).fill(firstName);
      await alice.getByRole('spinbutton', { name: 'Age' }).fill('31');
      await alice.getByRole('textbox', { name: 'Location' }).fill(town);
      await alice.getByRole('button', { name: 'Save profile' }).click();
      const stored = await alice.evaluate(() => JSON.stringify(window.localStorage));
      expect(stored).toContain(firstName);
      await alice.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat' }).click();

      // First press: a confirmation listing exactly what goes out. Nothing is sent yet.
      await alice.getByRole('button', { name: 'Reveal profile' }).click();
      const dialog = alice.getByRole('dialog');
      await dialog.getByText(firstName).waitFor();
      await dialog.getByText(town).waitFor();
      await dialog.getByText('31', { exact: true }).waitFor();
      await new Promise((r) => setTimeout(r, 300));
      expect(await bob.getByRole('log').getByText(firstName).count()).toBe(0);

      await dialog.getByRole('button', { name: 'Reveal profile' }).click();
      await bob.getByRole('log').getByText(firstName).waitFor();
      await bob.getByRole('log').getByText(town).waitFor();
      await bob.getByRole('log').getByText('Alice revealed their profile:').waitFor();

      expect(findInFiles(suite.server.dataDir, [firstName, town])).toEqual([]);
      expect(suite.server.output()).not.toContain(firstName);
      expect(suite.server.output()).not.toContain(town);
    },
    TEST_TIMEOUT_MS,
  );
});
