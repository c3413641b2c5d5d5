/** Issue 5 in the browser: Report (pick a reason) and Block in a chat. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { api } from '../helpers/http.js';
import { E2E_SERVER_ENV, signUpAndSearch } from '../helpers/webApp.js';

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
