/** Issue 9 finding 11 in the browser: Settings → Signed-in devices → "Sign out this device". */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { Profiles, signUpAndSearch } from '../helpers/webApp.js';

let server: ServerProcess;
let browser: Browser;
const profiles = new Profiles(() => browser);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess(), launchBrowser()]);
}, 60_000);
afterAll(async () => {
  await profiles.closeAll();
  await browser?.close();
  await server?.stop();
});

describe('signed-in devices', () => {
  it('lists this device and another one; "Sign out this device" signs the other one out at once', async () => {
    const phone = await profiles.newPage();
    const code = await signUpAndSearch(phone, server.url, 'Dana', [`e2e-${Math.random().toString(36).slice(2, 8)}`]);

    // The same account on a second device, by its recovery code.
    const laptop = await profiles.newPage();
    await laptop.goto(server.url);
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
});
