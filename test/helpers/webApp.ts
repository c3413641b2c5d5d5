/**
 * The web app in headless Chromium, for the end-to-end tests: fresh browser
 * profiles that record CSP violations, and the steps every test starts with.
 * Controls are found by the accessible names of PROTOCOL.md §4.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

/**
 * The server of the e2e suite runs the sign-up gate as deployed by default
 * (SIGNUP_CHALLENGE=pow, default work): every sign-up in Chromium solves a real
 * challenge in the background, which the other suites' servers skip (TEST_DEFAULTS).
 */
export const E2E_SERVER_ENV: Record<string, string> = { SIGNUP_CHALLENGE: 'pow' };

/** How long a page waits for anything, unless a test file says otherwise. */
export const WAIT_MS = 10_000;

/** What Chromium says on the console (or throws) when the Content Security Policy refuses something. */
export const CSP_MESSAGE = /Content Security Policy|Refused to (load|execute|apply|connect|frame)/i;

export type ProfileOptions = {
  /** For the new browser context (a locale, say). */
  context?: BrowserContextOptions;
  /** Runs on the new context before its page opens (to route its requests, say). */
  prepare?: (context: BrowserContext) => Promise<unknown>;
};

/**
 * The browser profiles of one test file. Each is a fresh context (its own
 * localStorage, as another person on another device) with one page.
 */
export class Profiles {
  /** CSP violations reported on the console of any page opened here; the file decides when to check it. */
  readonly cspProblems: string[] = [];
  private readonly contexts: BrowserContext[] = [];
  private readonly browser: () => Browser;
  private readonly timeout: number;

  /** `browser` is read at each newPage, so the file may launch it in beforeAll. */
  constructor(browser: () => Browser, options: { timeout?: number } = {}) {
    this.browser = browser;
    this.timeout = options.timeout ?? WAIT_MS;
  }

  async newPage(options: ProfileOptions = {}): Promise<Page> {
    const context = await this.browser().newContext(options.context);
    this.contexts.push(context);
    await options.prepare?.(context);
    const page = await context.newPage();
    page.setDefaultTimeout(this.timeout);
    page.on('console', (message) => {
      if (CSP_MESSAGE.test(message.text())) this.cspProblems.push(message.text());
    });
    return page;
  }

  /** Closes every profile opened so far (and with them their sockets). */
  async closeAll(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined);
  }
}

/**
 * First visit at `url` → recovery code → Continue (which starts the first
 * search at once, as PROTOCOL.md §4 says). Returns the recovery code.
 */
export async function signUpAndSearch(page: Page, url: string, nickname: string, interests: string[]): Promise<string> {
  await page.goto(url);
  await page.getByRole('textbox', { name: 'Nickname' }).fill(nickname);
  const interestsBox = page.getByRole('textbox', { name: 'Interests' });
  for (const interest of interests) {
    await interestsBox.fill(interest);
    await interestsBox.press('Enter');
  }
  await page.getByRole('checkbox', { name: 'I am 18 or older' }).check();
  await page.getByRole('button', { name: 'Start chatting' }).click();

  const codeOutput = page.getByLabel('Your recovery code');
  await codeOutput.waitFor();
  const code = (await codeOutput.textContent()) ?? '';
  await page.getByRole('button', { name: 'Continue' }).click();
  return code;
}

/** Types `text` in the chat's Message box and sends it with Enter or the Send button. */
export async function sendMessage(page: Page, text: string, via: 'enter' | 'button' = 'enter'): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  if (via === 'enter') await box.press('Enter');
  else await page.getByRole('button', { name: 'Send' }).click();
}
