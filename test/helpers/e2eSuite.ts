/**
 * The frame of an end-to-end test file: headless Chromium and, unless the file
 * runs its own, the real server as a child process, both started once for the
 * file (or the describe block it is called in); after each test every browser
 * profile is closed (with them their sockets, so nobody is left searching for
 * the next test) and the test fails if any page reported a CSP violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import { Profiles } from './webApp.js';

export type E2eSuiteOptions = {
  /** The server's environment; a function runs in beforeAll, once what it needs (a fake provider, a port) is ready. */
  env?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** `false`: the file starts (and stops) its own servers. */
  server?: boolean;
  /** How long a page waits for anything (Profiles' default otherwise). */
  timeout?: number;
  /** For starting the browser and the server. */
  setupTimeout?: number;
};

export type E2eSuite = {
  /** The suite's server; throws when read before beforeAll or in a suite without one. */
  readonly server: ServerProcess;
  readonly browser: Browser;
  /** Fresh browser profiles (people on other devices), closed after each test. */
  readonly profiles: Profiles;
};

export function e2eSuite(options: E2eSuiteOptions = {}): E2eSuite {
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the e2e suite's ${what} is not running`);
    return value;
  };
  const profiles = new Profiles(() => started(browser, 'browser'), { timeout: options.timeout });

  beforeAll(async () => {
    const startServer = async () => {
      if (options.server === false) return;
      const env = typeof options.env === 'function' ? await options.env() : options.env;
      server = await startServerProcess({ env });
    };
    // Each is kept as soon as it runs, so afterAll stops it even when the other failed to start.
    await Promise.all([launchBrowser().then((b) => (browser = b)), startServer()]);
  }, options.setupTimeout ?? 60_000);

  afterEach(async () => {
    await profiles.closeAll();
    expect(profiles.cspProblems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await profiles.closeAll();
    await browser?.close();
    await server?.stop();
  });

  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    profiles,
  };
}
