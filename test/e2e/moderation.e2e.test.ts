/**
 * Issue 15, item 4 in the browser: three people report one account; a
 * moderator opens the console (#/moderate) with the moderator token, sees the
 * report with 3 reporters, suspends the account (its socket closes with 4403
 * and its web app says so), lifts the suspension (sign-in works again), and
 * the audit log shows both. Every console screen is axe-clean.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { launchBrowser } from '../helpers/browser.js';
import { api } from '../helpers/http.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { E2E_SERVER_ENV, Profiles, signUpAndSearch } from '../helpers/webApp.js';

const ADMIN = 'e2e-console-moderator-token-0123456789';
let server: ServerProcess;
let browser: Browser;
const profiles = new Profiles(() => browser);

beforeAll(async () => {
  // Default REPORT_THRESHOLD and reporter weights: three fresh accounts never suspend anyone by themselves.
  [server, browser] = await Promise.all([startServerProcess({ env: { ...E2E_SERVER_ENV, ADMIN_TOKEN: ADMIN, MATCH_REMATCH_COOLDOWN_MS: '0' } }), launchBrowser()]);
}, 60_000);
afterAll(async () => {
  await profiles.closeAll();
  await browser?.close();
  await server?.stop();
});

type Probe = { __closeCodes: number[] };

/** Runs in the page before the app: records the close code of every WebSocket the app opens. */
function recordCloseCodes(): void {
  const probe = window as unknown as Probe;
  probe.__closeCodes = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('close', (event) => probe.__closeCodes.push(event.code));
    }
  };
}

const closeCodes = (page: Page) => page.evaluate(() => (window as unknown as Probe).__closeCodes);

describe('the moderator console', () => {
  it('three reports, a suspension that closes the socket with 4403, a lift that restores sign-in, both in the audit log', async () => {
    const interest = `e2e-${Math.random().toString(36).slice(2, 8)}`;
    const mallory = await profiles.newPage({ prepare: (context: BrowserContext) => context.addInitScript(recordCloseCodes) });
    const code = await signUpAndSearch(mallory, server.url, 'Mallory', [interest]);

    // Three people meet Mallory in turn and report them.
    for (const n of [1, 2, 3]) {
      const reporter = await profiles.newPage();
      await signUpAndSearch(reporter, server.url, `Reporter${n}`, [interest]);
      await reporter.locator('.partner-name', { hasText: 'Mallory' }).waitFor();
      await mallory.locator('.partner-name', { hasText: `Reporter${n}` }).waitFor();
      await reporter.getByRole('button', { name: 'Report' }).click();
      const dialog = reporter.getByRole('dialog');
      await dialog.getByRole('radio', { name: 'Harassment or hate' }).check();
      await dialog.getByRole('textbox', { name: 'Note (optional)' }).fill(`insults, report ${n}`);
      await dialog.getByRole('button', { name: 'Report and leave' }).click();
      await mallory.getByRole('log').getByText('Stranger left.').waitFor();
      await mallory.getByRole('button', { name: 'Next' }).click();
      await mallory.getByRole('heading', { name: 'Searching' }).waitFor({ state: 'attached' });
    }

    // The moderator: the landing page does not fetch the console's code; #/moderate does.
    const moderator = await profiles.newPage();
    const scripts: string[] = [];
    moderator.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await moderator.goto(server.url);
    await moderator.getByRole('button', { name: 'Start chatting' }).waitFor();
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.includes('ModerateScreen'))).toEqual([]);
    await moderator.goto(`${server.url}/#/moderate`);
    await moderator.getByRole('heading', { name: 'Moderator console' }).waitFor();
    expect(scripts.filter((s) => s.includes('ModerateScreen'))).toHaveLength(1);
    expect(await axeViolations(moderator)).toEqual([]);

    // A wrong token is refused and nothing is kept; the right one opens the console, kept in this tab only.
    const tokenBox = moderator.getByLabel('Moderator token');
    await tokenBox.fill('not-the-moderator-token');
    await moderator.getByRole('button', { name: 'Open the console' }).click();
    await moderator.getByRole('alert').getByText('That is not the moderator token.').waitFor();
    await tokenBox.fill(ADMIN);
    await moderator.getByRole('button', { name: 'Open the console' }).click();
    const reports = moderator.getByRole('list', { name: 'Open reports' });
    await reports.waitFor();
    const stored = await moderator.evaluate(() => ({
      session: Object.entries(sessionStorage).map(([k, v]) => `${k}=${v}`),
      local: Object.entries(localStorage).map(([k, v]) => `${k}=${v}`),
      cookie: document.cookie,
    }));
    expect(stored).toEqual({ session: [`metsony.moderator=${ADMIN}`], local: [], cookie: '' });

    // Newest first: report 3 on top, each saying the account has 3 reporters.
    const items = reports.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(3);
    expect(await items.allTextContents()).toEqual([
      expect.stringMatching(/Harassment or hate.*3 reporters.*insults, report 3/),
      expect.stringMatching(/Harassment or hate.*3 reporters.*insults, report 2/),
      expect.stringMatching(/Harassment or hate.*3 reporters.*insults, report 1/),
    ]);
    expect(await axeViolations(moderator)).toEqual([]);

    // Mallory's history, then a suspension for 7 days.
    await items.first().getByRole('button', { name: 'Account history' }).click();
    const account = moderator.getByRole('region', { name: 'Account history' });
    await account.getByText('Nickname: Mallory').waitFor();
    await account.getByText('Reported by 3 people', { exact: false }).waitFor();
    expect(await account.getByRole('listitem').filter({ hasText: 'insults, report' }).count()).toBe(3);
    const accountId = (await account.getByRole('heading', { level: 3 }).locator('code').textContent())!.trim();
    await account.getByRole('combobox', { name: 'Suspend for' }).selectOption({ label: '7 days' });
    await account.getByRole('button', { name: 'Suspend' }).click();
    await account.getByRole('status').getByText('Suspended until', { exact: false }).waitFor();
    await account.getByRole('listitem').filter({ hasText: /^Suspended until / }).waitFor();
    const chosen = await api<{ account: { suspendedUntil: string } }>(server.url, 'GET', `/api/admin/accounts/${accountId}/reports`, { token: ADMIN });
    expect(Math.abs(Date.parse(chosen.body.account.suspendedUntil) - Date.now() - 7 * 24 * 3600_000)).toBeLessThan(60_000);
    expect(await axeViolations(moderator)).toEqual([]);

    // Mallory's open socket closes with 4403 and the app says the account is suspended.
    await expect.poll(() => closeCodes(mallory)).toContain(4403);
    await mallory.getByText('This account is suspended until', { exact: false }).waitFor();
    // Signing in elsewhere with the recovery code is refused while it lasts.
    const elsewhere = await profiles.newPage();
    await elsewhere.goto(server.url);
    await elsewhere.getByRole('button', { name: 'I have a recovery code' }).click();
    await elsewhere.getByRole('textbox', { name: 'Recovery code' }).fill(code);
    await elsewhere.getByRole('button', { name: 'Sign in' }).click();
    await elsewhere.getByText('This account is suspended until', { exact: false }).waitFor();

    // The moderator lifts it: Mallory signs in again, and the reloaded app connects and searches.
    await account.getByRole('button', { name: 'Lift the suspension' }).click();
    await account.getByRole('status').getByText('The suspension is lifted.').waitFor();
    await account.getByText('Not suspended').waitFor();
    await elsewhere.getByRole('button', { name: 'Sign in' }).click();
    await elsewhere.getByRole('button', { name: 'Start chatting' }).waitFor();
    await mallory.reload();
    await mallory.getByRole('button', { name: 'Start chatting' }).click();
    await mallory.getByRole('heading', { name: 'Searching' }).waitFor({ state: 'attached' });
    await mallory.getByText('Looking for someone who shares your interests', { exact: false }).waitFor();

    // The audit log: the lift above the suspension, both naming Mallory's account.
    const audit = moderator.getByRole('table');
    const rows = audit.getByRole('row').filter({ hasText: accountId });
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/Suspension lifted\s*a moderator/),
      expect.stringMatching(/Suspended until .*a moderator/),
    ]);

    // Dismissing a report takes it off the queue and into the log.
    await items.first().getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => items.count()).toBe(2);
    await audit.getByRole('row').filter({ hasText: 'Report dismissed' }).waitFor();
    expect(await axeViolations(moderator)).toEqual([]);
    await moderator.setViewportSize({ width: 390, height: 800 }); // a phone: the audit table scrolls within its region
    expect(await axeViolations(moderator)).toEqual([]);

    // Leaving the console forgets the token.
    await moderator.getByRole('button', { name: 'Leave the console' }).click();
    await moderator.getByLabel('Moderator token').waitFor();
    expect(await moderator.evaluate(() => sessionStorage.length)).toBe(0);
    expect(profiles.cspProblems).toEqual([]);
  }, 240_000);
});
