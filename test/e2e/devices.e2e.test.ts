/** Issue 9 finding 11 in the browser: Settings → Signed-in devices → "Sign out this device". */
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../src/server/store/sqlite.js';
import { e2eSuite } from '../helpers/e2eSuite.js';
import { api } from '../helpers/http.js';
import { E2E_SERVER_ENV, signUpAndSearch } from '../helpers/webApp.js';

// Each test's people leave with it (e2eSuite): a searcher left open would be matched with the next test's person.
const suite = e2eSuite({ env: E2E_SERVER_ENV });
const { profiles } = suite;

describe('signed-in devices', () => {
  it('lists this device and another one; "Sign out this device" signs the other one out at once', async () => {
    const phone = await profiles.newPage();
    const code = await signUpAndSearch(phone, suite.server.url, 'Dana', [`e2e-${Math.random().toString(36).slice(2, 8)}`]);

    // The same account on a second device, by its recovery code.
    const laptop = await profiles.newPage();
    await laptop.goto(suite.server.url);
    await laptop.getByRole('button', { name: 'I have a recovery code' }).click();
    await laptop.getByRole('textbox', { name: 'Recovery code' }).fill(code);
    await laptop.getByRole('button', { name: 'Sign in' }).click();
    await laptop.getByRole('button', { name: 'Start chatting' }).waitFor();

    await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const devices = phone.getByRole('list', { name: 'Signed-in devices' });
    await expect.poll(() => devices.getByRole('listitem').count()).toBe(2);
    await devices.getByRole('listitem').filter({ has: phone.getByText('This device', { exact: true }) }).waitFor();
    // One button, for the other device only.
    const signOut = phone.getByRole('button', { name: 'Sign out this device' });
    expect(await signOut.count()).toBe(1);
    await signOut.click();

    await phone.getByRole('status').filter({ hasText: 'That device is signed out.' }).waitFor();
    await expect.poll(() => devices.getByRole('listitem').count()).toBe(1);
    expect(await phone.getByRole('button', { name: 'Sign out this device' }).count()).toBe(0);
    // The other device learns it at once (its socket is closed) and shows the first visit.
    await laptop.getByRole('textbox', { name: 'Nickname' }).waitFor();
    // This device is still signed in.
    await phone.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await phone.getByRole('button', { name: 'Log out' }).count()).toBe(1);
  });

  it('a new recovery code offers "Also unlink Google" when Google is linked, and unlinks it when ticked', async () => {
    const page = await profiles.newPage();
    await signUpAndSearch(page, suite.server.url, 'Gale', [`e2e-${Math.random().toString(36).slice(2, 8)}`]);
    const token = (await page.evaluate(() => localStorage.getItem('metsony.token'))) ?? '';
    const me = await api<{ id: string }>(suite.server.url, 'GET', '/api/me', { token });
    // Stands in for a Google link (the link flow itself is google.e2e's): the row the server would write.
    const db = new SqliteDatabase(path.join(suite.server.dataDir, SQLITE_FILE));
    db.prepare('INSERT INTO linked_identities (provider, subject, account_id, email, created_at) VALUES (?, ?, ?, ?, ?)')
      .run('google', `sub-${me.body.id}`, me.body.id, null, new Date().toISOString());
    db.close();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.reload();
    await page.getByRole('button', { name: 'Unlink Google' }).waitFor();
    await page.getByRole('button', { name: 'Get a new recovery code' }).click();
    await page.getByRole('checkbox', { name: 'Also unlink Google' }).check();
    await page.getByRole('button', { name: 'Get a new recovery code' }).click();
    await page.getByLabel('Your new recovery code').waitFor();
    // Unlinked: only Link Google would be offered (Google sign-in is off on this server, so nothing is).
    await expect.poll(() => page.getByRole('button', { name: 'Unlink Google' }).count()).toBe(0);
    const after = await api<{ linked: { google: boolean } }>(suite.server.url, 'GET', '/api/me', {
      token: (await page.evaluate(() => localStorage.getItem('metsony.token'))) ?? '',
    });
    expect(after.body.linked.google).toBe(false);
  });

  it('without a linked Google account there is no such checkbox', async () => {
    const page = await profiles.newPage();
    await signUpAndSearch(page, suite.server.url, 'Hal', [`e2e-${Math.random().toString(36).slice(2, 8)}`]);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Get a new recovery code' }).click();
    await page.getByRole('button', { name: 'Cancel' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Also unlink Google' }).count()).toBe(0);
  });
});
