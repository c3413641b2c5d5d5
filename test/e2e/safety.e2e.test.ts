/**
 * Issue 5 in the browser: Report (pick a reason) and Block in a chat; a report
 * with the last messages attached (only when ticked) and the moderator console
 * showing them.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { api } from '../helpers/http.js';
import { E2E_SERVER_ENV, sendMessage, signUpAndSearch } from '../helpers/webApp.js';

const ADMIN = 'e2e-moderator-token-0123456789';
const suite = e2eSuite({ env: { ...E2E_SERVER_ENV, ADMIN_TOKEN: ADMIN, MATCH_REMATCH_COOLDOWN_MS: '0' } });
const { profiles } = suite;

/** Someone new, in a fresh browser, signed up and searching on `interest`. */
async function person(nickname: string, interest: string): Promise<Page> {
  const page = await profiles.newPage();
  await signUpAndSearch(page, suite.server.url, nickname, [interest]);
  return page;
}

describe('report and block', () => {
  it('a report with a reason and a note reaches the moderators; block ends the chat for good', async () => {
    const interest = `e2e-${Math.random().toString(36).slice(2, 8)}`;
    const alice = await person('Alice', interest);
    const bob = await person('Bob', interest);
    await alice.locator('.partner-name', { hasText: 'Bob' }).waitFor();

    await alice.getByRole('button', { name: 'Report' }).click();
    const dialog = alice.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'Spam or advertising' }).check();
    await dialog.getByRole('textbox', { name: 'Note (optional)' }).fill('kept sending links');
    // Spam: reporting blocks them too unless Alice chooses to only leave.
    expect(await dialog.getByRole('radio', { name: 'Leave and block Bob' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Report and block' }).click();
    await expect.poll(async () => {
      const res = await api<{ reports: Array<{ reason: string; note: string | null }> }>(suite.server.url, 'GET', '/api/admin/reports', { token: ADMIN });
      return res.body.reports;
    }).toEqual([expect.objectContaining({ reason: 'spam', note: 'kept sending links' })]);
    await expect.poll(() => alice.getByRole('button', { name: 'Report' }).isDisabled()).toBe(true);
    await alice.getByRole('log').getByText('You blocked this person.').waitFor();
    await bob.getByRole('log').getByText('Stranger left.').waitFor();

    // Both search again at once: they are never paired again; a newcomer is.
    await alice.getByRole('button', { name: 'Next' }).click();
    await bob.getByRole('button', { name: 'Next' }).click();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await alice.locator('.partner-name', { hasText: 'Bob' }).count()).toBe(0);
    const carol = await person('Carol', interest);
    await carol.locator('.partner-name').waitFor();
    expect(['Alice', 'Bob']).toContain((await carol.locator('.partner-name').textContent())?.trim());
  }, 60_000);
});

type AdminReport = { id: string; reporterId: string; reportedId: string; note: string | null; attached: Array<{ from: string; text: string }> | null };
const openReports = async () => (await api<{ reports: AdminReport[] }>(suite.server.url, 'GET', '/api/admin/reports', { token: ADMIN })).body.reports;

/** Two people matched, who exchange `lines` (`a` or `b` first), each waiting until the other's screen shows it. */
async function chatAndTalk(interest: string, lines: Array<['a' | 'b', string]>): Promise<{ a: Page; b: Page }> {
  const a = await person('Alice', interest);
  const b = await person('Bob', interest);
  await a.locator('.partner-name', { hasText: 'Bob' }).waitFor();
  await b.locator('.partner-name', { hasText: 'Alice' }).waitFor();
  for (const [who, text] of lines) {
    const [from, to] = who === 'a' ? [a, b] : [b, a];
    await sendMessage(from, text);
    await to.getByRole('log').getByText(text).waitFor();
  }
  return { a, b };
}

describe('report with the last messages attached', () => {
  it('only when ticked, after the consent sentence and the list of what goes; the moderator console shows them, marked who wrote each', async () => {
    const interest = `e2e-${Math.random().toString(36).slice(2, 8)}`;
    const tag = Math.random().toString(36).slice(2, 8);
    const said: Array<['a' | 'b', string]> = [
      ['b', `send me photos ${tag}`],
      ['a', `no, stop ${tag}`],
      ['b', `you will regret it ${tag}`],
    ];
    const { a: alice } = await chatAndTalk(interest, said);

    await alice.getByRole('button', { name: 'Report' }).click();
    const dialog = alice.getByRole('dialog');
    const attach = dialog.getByRole('checkbox', { name: 'Attach the last messages' });
    expect(await attach.isChecked()).toBe(false);
    await dialog.getByText('They will reach the moderators unencrypted, so they can see what happened.', { exact: false }).waitFor();
    expect(await dialog.getByRole('list', { name: /will be attached/ }).count()).toBe(0);
    await attach.check();
    const preview = dialog.getByRole('list', { name: 'The last 3 messages will be attached:' });
    expect(await preview.getByRole('listitem').allTextContents()).toEqual([`Bob: ${said[0]![1]}`, `You: ${said[1]![1]}`, `Bob: ${said[2]![1]}`]);
    expect(await axeViolations(alice)).toEqual([]);
    await dialog.getByRole('radio', { name: 'Harassment or hate' }).check();
    await dialog.getByRole('button', { name: 'Report and leave' }).click();

    await expect
      .poll(async () => (await openReports()).find((r) => r.attached !== null)?.attached)
      .toEqual([
        { from: 'partner', text: said[0]![1] },
        { from: 'me', text: said[1]![1] },
        { from: 'partner', text: said[2]![1] },
      ]);

    // The moderator sees them under the report, each marked Reporter or Reported.
    const moderator = await profiles.newPage();
    await moderator.goto(`${suite.server.url}/#/moderate`);
    await moderator.getByLabel('Moderator token').fill(ADMIN);
    await moderator.getByRole('button', { name: 'Open the console' }).click();
    const reports = moderator.getByRole('list', { name: 'Open reports' });
    const group = reports.getByRole('group', { name: /^Attached by the reporter/ });
    await group.waitFor();
    expect(await group.locator('.mod-attached-line').allTextContents()).toEqual([
      `Reported: ${said[0]![1]}`,
      `Reporter: ${said[1]![1]}`,
      `Reported: ${said[2]![1]}`,
    ]);
    expect(await axeViolations(moderator)).toEqual([]);

    // Closing the report deletes them.
    await reports.getByRole('listitem').filter({ hasText: said[0]![1] }).getByRole('button', { name: 'Close report' }).click();
    await moderator.getByRole('status').getByText('Report closed.').waitFor();
    expect(await moderator.getByText(said[0]![1]).count()).toBe(0);
    const closed = await api<{ reports: AdminReport[] }>(suite.server.url, 'GET', '/api/admin/reports', { token: ADMIN });
    expect(JSON.stringify(closed.body)).not.toContain(tag);
  }, 90_000);

  it('without ticking, nothing is attached', async () => {
    const interest = `e2e-${Math.random().toString(36).slice(2, 8)}`;
    const tag = Math.random().toString(36).slice(2, 8);
    const { a: alice } = await chatAndTalk(interest, [
      ['b', `spam link ${tag}`],
      ['a', `no thanks ${tag}`],
    ]);
    await alice.getByRole('button', { name: 'Report' }).click();
    const dialog = alice.getByRole('dialog');
    await dialog.getByRole('radio', { name: 'Spam or advertising' }).check();
    await dialog.getByRole('textbox', { name: 'Note (optional)' }).fill(`only a note ${tag}`);
    await dialog.getByRole('button', { name: 'Report and block' }).click();
    await expect.poll(async () => (await openReports()).find((r) => r.note === `only a note ${tag}`)?.attached).toBeNull();
    expect(JSON.stringify(await openReports())).not.toContain(`spam link ${tag}`);
  }, 90_000);
});
