/** SIGNUP_CHALLENGE and its settings: defaults, and one clear line for each bad value. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.js';

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/metsony-config-test', ...env });

describe('challenge and bot-signal settings', () => {
  it('default to proof of work at the documented work, Turnstile off', () => {
    const { challenge, bots } = load({});
    expect(challenge).toMatchObject({ mode: 'off', work: 50_000, factor: 4, maxLevel: 4, ttlMs: 600_000, burst: 30, quietMs: 600_000, turnstile: undefined });
    expect(bots).toEqual({ window: 10, quickMs: 5000, threshold: 4, findWaitMs: 10_000, findLevel: 2, forgetMs: 3_600_000 });
  });

  it('refuse bad values with one line naming the variable', () => {
    expect(() => load({ SIGNUP_CHALLENGE: 'captcha' })).toThrow('SIGNUP_CHALLENGE must be pow, turnstile or off, got "captcha"');
    expect(() => load({ SIGNUP_CHALLENGE: 'turnstile' })).toThrow('SIGNUP_CHALLENGE=turnstile needs TURNSTILE_SECRET and TURNSTILE_SITE_KEY');
    expect(() => load({ TURNSTILE_SECRET: 'x' })).toThrow('TURNSTILE_SECRET and TURNSTILE_SITE_KEY must be set together');
    expect(() => load({ CHALLENGE_WORK: '1' })).toThrow('CHALLENGE_WORK must be between 2 and 100000000, got 1');
    expect(() => load({ BOT_WINDOW: '3', BOT_THRESHOLD: '4' })).toThrow('BOT_THRESHOLD must not exceed BOT_WINDOW (3), got 4');
    expect(() => load({ TURNSTILE_VERIFY_URL: 'ftp://x' })).toThrow('TURNSTILE_VERIFY_URL must start with http: or https:');
  });

  it('turn Turnstile on with both keys', () => {
    const { challenge } = load({ SIGNUP_CHALLENGE: 'turnstile', TURNSTILE_SECRET: 's', TURNSTILE_SITE_KEY: 'k' });
    expect(challenge.mode).toBe('turnstile');
    expect(challenge.turnstile).toEqual({ secret: 's', siteKey: 'k', verifyUrl: 'https://challenges.cloudflare.com/turnstile/v0/siteverify' });
  });
});
