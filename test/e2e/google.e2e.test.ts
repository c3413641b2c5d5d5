/**
 * End to end, in headless Chromium: Google sign-in and linking (P6) against a
 * real OpenID Connect provider on 127.0.0.1 (test/helpers/oidcProvider.ts,
 * oidc-provider with its development login and consent pages) standing in
 * for Google. The browser really goes there and back; METSONY sets no cookie.
 */
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { api, signUp as signUpByApi } from '../helpers/http.js';
import { freePort } from '../helpers/inProcess.js';
import { type LocalProvider, landingAfter, startOidcProvider } from '../helpers/oidcProvider.js';
import { proofFor } from '../helpers/pow.js';
import { E2E_SERVER_ENV, signUpAndSearch } from '../helpers/webApp.js';

const TEST_TIMEOUT_MS = 45_000;

let provider: LocalProvider;
let publicUrl: string;
let callback: string;
// Before the suite's hooks, so it runs after them: the provider closes once the server has stopped.
afterAll(async () => {
  await provider?.close();
});

const suite = e2eSuite({
  env: async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    callback = `${publicUrl}/api/auth/google/callback`;
    provider = await startOidcProvider({
      clientId: 'metsony-e2e',
      clientSecret: 'provider-secret-e2e',
      redirectUri: callback,
    });
    return {
      ...E2E_SERVER_ENV,
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      GOOGLE_CLIENT_ID: 'metsony-e2e',
      GOOGLE_CLIENT_SECRET: 'provider-secret-e2e',
      GOOGLE_ISSUER: provider.issuer,
    };
  },
});
const { profiles } = suite;

beforeAll(() => {
  expect(suite.server.url).toBe(publicUrl);
});

type Watched = { page: Page; setCookies(): Promise<string[]>; serverResponses: string[] };

/**
 * A fresh browser profile. Everything not on this machine is refused (the
 * provider's development pages import a web font). Every response from
 * METSONY's origin is kept, to check that none of them sets a cookie (the
 * provider's own cookies on its own origin are its business).
 */
async function newPage(): Promise<Watched> {
  const page = await profiles.newPage({
    context: { locale: 'en-US' },
    prepare: (context) => context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort()),
  });
  const checks: Promise<string | null>[] = [];
  const serverResponses: string[] = [];
  page.on('response', (response: Response) => {
    if (!response.url().startsWith(`${suite.server.url}/`)) return;
    serverResponses.push(response.url());
    checks.push(response.headerValue('set-cookie').catch(() => null));
  });
  return {
    page,
    serverResponses,
    setCookies: async () => (await Promise.all(checks)).filter((v): v is string => v !== null),
  };
}

async function signUp(page: Page, nickname: string): Promise<void> {
  await signUpAndSearch(page, suite.server.url, nickname, []);
  // The first search starts at once; nobody else is here, so stop it.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Start chatting' }).waitFor();
}

/**
 * Presses `button` (Link Google or Continue with Google), then goes through
 * the provider's pages as `subject`, whatever it shows this time: the login
 * form, then consent; or only consent; or nothing at all (it remembers the
 * earlier login and grant), until it sends the browser back to METSONY.
 */
async function viaProvider(page: Page, button: string, subject: string): Promise<void> {
  let back = false;
  const callback = page
    .waitForRequest((request) => request.url().startsWith(`${suite.server.url}/api/auth/google/callback?`), { timeout: 20_000 })
    .then(() => (back = true));
  await page.getByRole('button', { name: button, exact: true }).click();
  const submit = page.locator('button.login-submit');
  for (let step = 0; step < 6 && !back; step++) {
    await Promise.race([callback.catch(() => undefined), submit.waitFor().catch(() => undefined)]);
    if (back) break;
    expect(page.url().startsWith(provider.issuer), `on ${page.url()}`).toBe(true);
    const login = page.locator('input[name="login"]');
    if ((await login.count()) > 0) {
      await login.fill(subject);
      await page.locator('input[name="password"]').fill('any password');
    }
    // Both pages have one submit button (login: "Sign-in", consent: "Continue").
    const next = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
    await submit.click();
    await next;
  }
  await callback;
  await page.waitForURL((url) => url.href.startsWith(`${suite.server.url}/`), { waitUntil: 'commit' });
}

const uniqueSubject = () => `g-${Math.random().toString(36).slice(2, 12)}`;

type Started = { url: string; browserKey: string };

/** Clears the notices on screen, so the next one awaited is new. */
async function dismissNotices(page: Page): Promise<void> {
  const close = page.getByRole('button', { name: 'Dismiss notice' });
  while ((await close.count()) > 0) await close.first().click();
}

/**
 * Somebody else, by the API: an account with `subject` linked, and a sign-in
 * ticket for it that their own browser got and never redeemed.
 */
async function someoneElsesTicket(subject: string): Promise<{ ticket: string; browserKey: string }> {
  // An outside client at the gate of E2E_SERVER_ENV: each door solved with altcha-lib.
  const other = await signUpByApi(suite.server.url, [], undefined, await proofFor(suite.server.url));
  const link = await api<Started>(suite.server.url, 'POST', '/api/auth/google/start', { body: { intent: 'link', proof: await proofFor(suite.server.url) }, token: other.token });
  const linkTicket = (await landingAfter(link.body.url, subject, callback)).get('ticket') ?? '';
  const linked = await api(suite.server.url, 'POST', '/api/auth/google/complete', { body: { ticket: linkTicket, browserKey: link.body.browserKey }, token: other.token });
  expect(linked.status).toBe(200);
  const signin = await api<Started>(suite.server.url, 'POST', '/api/auth/google/start', { body: { intent: 'signin', proof: await proofFor(suite.server.url) } });
  const ticket = (await landingAfter(signin.body.url, subject, callback)).get('ticket') ?? '';
  expect(ticket).not.toBe('');
  return { ticket, browserKey: signin.body.browserKey };
}

describe('Google sign-in and linking', () => {
  it(
    'links Google in Settings, then signs in with Continue with Google after logging out; METSONY sets no cookie',
    async () => {
      const { page, setCookies, serverResponses } = await newPage();
      const nickname = `Gina${Math.random().toString(36).slice(2, 6)}`;
      const subject = uniqueSubject();
      await signUp(page, nickname);

      // Settings: the Google section says what is kept, and offers only Link Google.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      const section = page.getByRole('region', { name: 'Google' });
      await section.getByText("keeps only your Google account's id and email", { exact: false }).waitFor();
      expect(await page.getByRole('button', { name: 'Unlink Google' }).count()).toBe(0);
      await viaProvider(page, 'Link Google', subject);

      // Back on Settings, linked; the landing left nothing in the address.
      await page.getByText('Google is now linked.').waitFor();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Unlink Google' }).waitFor();
      expect(await page.getByRole('button', { name: 'Link Google', exact: true }).count()).toBe(0);
      await section.getByText('Google is linked.').waitFor();
      expect(new URL(page.url()).hash).toBe('#/settings');
      // The other names of the screen are still found once each.
      expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Delete everything' }).count()).toBe(1);

      // Log out (one click), and come back with Google.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('checkbox', { name: 'I am 18 or older' }).waitFor();
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
      await page.getByRole('button', { name: 'I have a recovery code' }).click();
      await page.getByRole('textbox', { name: 'Recovery code' }).waitFor();
      // "Continue with Google" does not get in the way of "Sign in".
      expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
      await viaProvider(page, 'Continue with Google', subject);

      await page.getByRole('banner').getByText(nickname, { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Start chatting' }).waitFor();
      // The one-time ticket is gone from the address and from history.
      expect(page.url()).not.toContain('ticket');
      expect(new URL(page.url()).hash).toBe('#/');
      expect(await page.evaluate(() => localStorage.getItem('metsony.token'))).toBeTruthy();

      // Unlink: only Link Google is offered again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Unlink Google' }).click();
      await page.getByRole('button', { name: 'Link Google', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Unlink Google' }).count()).toBe(0);

      expect(serverResponses.some((url) => url.includes('/api/auth/google/callback'))).toBe(true);
      expect(serverResponses.some((url) => url.includes('/api/auth/google/complete'))).toBe(true);
      expect(await setCookies()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a Google account linked to nobody is told so, on the recovery-code form',
    async () => {
      const { page, setCookies } = await newPage();
      await page.goto(suite.server.url);
      await page.getByRole('button', { name: 'I have a recovery code' }).click();
      await viaProvider(page, 'Continue with Google', uniqueSubject());

      await page
        .getByText(
          'No METSONY account is linked to that Google account. Sign in with your recovery code, then link Google in Settings.',
        )
        .waitFor();
      await page.getByRole('textbox', { name: 'Recovery code' }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/');
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
      expect(await setCookies()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a tab signed in as one person keeps that sign-in when it lands on someone else's ticket (login CSRF)",
    async () => {
      const { page, serverResponses } = await newPage();
      const nickname = `Xena${Math.random().toString(36).slice(2, 6)}`;
      await signUp(page, nickname);
      const token = await page.evaluate(() => localStorage.getItem('metsony.token'));
      expect(token).toBeTruthy();

      // Opened in this tab (only the fragment changes), then as a fresh page load.
      const first = await someoneElsesTicket(uniqueSubject());
      await dismissNotices(page);
      await page.goto(`${suite.server.url}/#/google?ticket=${first.ticket}`);
      await page.getByText('This sign-in link was not started on this device', { exact: false }).waitFor();
      expect(page.url()).not.toContain('ticket');
      await page.getByRole('button', { name: 'Start chatting' }).waitFor();
      await page.getByRole('banner').getByText(nickname, { exact: true }).waitFor();
      expect(await page.evaluate(() => localStorage.getItem('metsony.token'))).toBe(token);

      const second = await someoneElsesTicket(uniqueSubject());
      await page.goto('about:blank');
      await page.goto(`${suite.server.url}/#/google?ticket=${second.ticket}`);
      await page.getByText('This sign-in link was not started on this device', { exact: false }).waitFor();
      expect(page.url()).not.toContain('ticket');
      await page.getByRole('banner').getByText(nickname, { exact: true }).waitFor();
      expect(await page.evaluate(() => localStorage.getItem('metsony.token'))).toBe(token);

      // A flow this tab started more than 10 minutes ago no longer counts, even with the right browserKey.
      const third = await someoneElsesTicket(uniqueSubject());
      await page.evaluate((key) => {
        sessionStorage.setItem('metsony.googleFlow', JSON.stringify({ browserKey: key, intent: 'signin', startedAt: Date.now() - 11 * 60_000 }));
      }, third.browserKey);
      await dismissNotices(page);
      await page.goto(`${suite.server.url}/#/google?ticket=${third.ticket}`);
      await page.getByText('This sign-in link was not started on this device', { exact: false }).waitFor();
      expect(page.url()).not.toContain('ticket');
      await page.getByRole('banner').getByText(nickname, { exact: true }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('metsony.googleFlow'))).toBeNull();

      // The tab never tried to redeem any of the tickets.
      expect(serverResponses.some((url) => url.includes('/api/auth/google/complete'))).toBe(false);
      const me = await api<{ nickname: string }>(suite.server.url, 'GET', '/api/me', { token: token ?? '' });
      expect(me.body.nickname).toBe(nickname);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'each landing says what happened on the screen that fits, and a ticket never stays in the address',
    async () => {
      const { page, setCookies } = await newPage();

      // Signed out: a cancelled sign-in, shown on the recovery-code form.
      await page.goto(`${suite.server.url}/#/google?error=cancelled`);
      await page.getByText('Signing in with Google was cancelled. Nothing was changed.').waitFor();
      await page.getByRole('textbox', { name: 'Recovery code' }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/');

      // A ticket this tab did not ask for: refused, gone from the address, nothing stored.
      await page.goto(`${suite.server.url}/#/google?ticket=not-a-real-ticket`);
      await page.getByText('This sign-in link was not started on this device', { exact: false }).waitFor();
      expect(page.url()).not.toContain('ticket');
      expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

      // Signed in: linking errors land on Settings (here without a page load: only the fragment changes).
      await signUp(page, 'Gabe');
      await page.goto(`${suite.server.url}/#/google?error=already_linked`);
      await page.getByText('That Google account is already linked to another METSONY account.').waitFor();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/settings');
      await page.getByRole('button', { name: 'Link Google', exact: true }).waitFor();

      // A bare #/google (Back, say) is just the chat.
      await page.goto(`${suite.server.url}/#/google`);
      await page.getByRole('button', { name: 'Start chatting' }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/');
      expect(await setCookies()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
