/**
 * Issue 5: every rate limit trips with 429 / rate_limited and a retry time, and recovers.
 *
 * The clock is fake (Date only; sockets and timers stay real): a window never
 * passes on its own while a test is trying to fill it, and "later" is a step
 * of the clock, not a sleep. Windows are a minute long so that the limiter's
 * own clean-up timer (real time) never fires during a test either.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { chatting, connected } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: Running;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  server = await startService({
    RATE_SIGNUP: '3/60',
    RATE_SIGNIN: '3/60',
    RATE_MESSAGE: '2/1',
    RATE_MESSAGE_BURST: '3',
    RATE_FIND: '2/60',
    RATE_DM: '2/60',
    RATE_CONNECT: '1/60',
    RATE_REPORT: '1/60',
    MATCH_REMATCH_COOLDOWN_MS: '0',
  });
});
afterAll(async () => {
  await server.stop();
  vi.useRealTimers();
});

/** Moves the server's clock on. */
const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
const WINDOW_MS = 60_000;
const signUpBody = { nickname: 'r', interests: [], adult: true };

describe('HTTP, per client IP', () => {
  it('sign-ups: 429 rate_limited with Retry-After and retryAfterMs, then recovers', async () => {
    // Seen from 198.51.100.7 via a trusted proxy, so other tests' sign-ups from 127.0.0.1 do not count.
    const proxied = await startService({ RATE_SIGNUP: '3/60', TRUST_PROXY: 'cloudflare' });
    try {
      const headers = { 'cf-connecting-ip': '198.51.100.7' };
      for (let i = 0; i < 3; i++) expect((await api(proxied.url, 'POST', '/api/accounts', { body: signUpBody, headers })).status).toBe(201);
      const limited = await api<{ error: { code: string; retryAfterMs: number } }>(proxied.url, 'POST', '/api/accounts', { body: signUpBody, headers });
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatchObject({ code: 'rate_limited', message: expect.any(String), retryAfterMs: expect.any(Number) });
      expect(limited.body.error.retryAfterMs).toBeGreaterThan(0);
      expect(limited.body.error.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
      expect(Number(limited.headers.get('retry-after'))).toBe(Math.ceil(limited.body.error.retryAfterMs / 1000));
      // another address is not affected
      expect((await api(proxied.url, 'POST', '/api/accounts', { body: signUpBody, headers: { 'cf-connecting-ip': '198.51.100.8' } })).status).toBe(201);
      later(limited.body.error.retryAfterMs - 1);
      expect((await api(proxied.url, 'POST', '/api/accounts', { body: signUpBody, headers })).status).toBe(429);
      later(1);
      expect((await api(proxied.url, 'POST', '/api/accounts', { body: signUpBody, headers })).status).toBe(201);
      expect(proxied.logs()).not.toContain('198.51.100.7');
    } finally {
      await proxied.stop();
    }
  });

  it('IPv6 is limited per /64: two addresses in one /64 share a limit, another /64 has its own', async () => {
    const proxied = await startService({ RATE_SIGNUP: '2/60', TRUST_PROXY: '127.0.0.1' });
    try {
      const from = (ip: string) => api(proxied.url, 'POST', '/api/accounts', { body: signUpBody, headers: { 'x-forwarded-for': ip } });
      expect((await from('2001:db8:abcd:12::1')).status).toBe(201);
      expect((await from('2001:db8:abcd:12:ffff:1:2:3')).status).toBe(201);
      expect((await from('2001:db8:abcd:12::99')).status).toBe(429);
      expect((await from('2001:db8:abcd:13::1')).status).toBe(201);
      expect(proxied.logs()).not.toContain('2001:db8:abcd');
    } finally {
      await proxied.stop();
    }
  });

  it('sign-in attempts, right or wrong, count per IP', async () => {
    later(WINDOW_MS);
    const user = await signUp(server.url);
    later(WINDOW_MS);
    for (let i = 0; i < 3; i++) await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: 'wrong-guess-number-' + i } });
    const limited = await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: user.recoveryCode } });
    expect(limited.status).toBe(429);
    later(WINDOW_MS);
    expect((await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: user.recoveryCode } })).status).toBe(200);
  });
});

describe('socket, per account', () => {
  it('messages: a burst passes, then rate_limited with retryAfterMs, then recovers; nothing limited is relayed', async () => {
    later(WINDOW_MS);
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    for (let i = 0; i < 8; i++) a.socket.send({ type: 'send', chatId, id: `m${i}`, text: `n${i}` });
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await a.socket.next(undefined, (f) => f.type === 'sent' || f.type === 'error'));
    const sent = answers.filter((f) => f.type === 'sent').length;
    const limited = answers.filter((f) => f.type === 'error');
    // The clock stands still: exactly the burst passes.
    expect(sent).toBe(3);
    expect(limited.length).toBe(5);
    expect(limited[0]).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    await TestSocket.settled(a.socket, b.socket);
    expect(b.socket.received('message')).toHaveLength(sent);
    later(WINDOW_MS);
    a.socket.send({ type: 'send', chatId, id: 'later', text: 'after a pause' });
    expect(await a.socket.next('sent')).toMatchObject({ id: 'later' });
    a.socket.close();
    b.socket.close();
  });

  it('find, dm, connect and report each trip and recover', async () => {
    later(WINDOW_MS);
    const { a, b, chatId, connectionId } = await connected(server.url, server.wsUrl);
    later(WINDOW_MS);
    // connect: 1 per window (already used above by connected(); a new window first)
    a.socket.send({ type: 'connect', chatId });
    await a.socket.next('connected');
    a.socket.send({ type: 'connect', chatId });
    expect(await a.socket.next('error')).toMatchObject({ code: 'rate_limited' });
    // report: 1 per window
    a.socket.send({ type: 'report', chatId, reason: 'other' });
    await a.socket.next('reported');
    a.socket.send({ type: 'report', chatId, reason: 'other' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'rate_limited' });
    // dm: 2 per window, for stored ones (b offline; live ones share the chat message rate, see dmRates.test.ts)
    b.socket.close();
    await a.socket.next('presence', (f) => !f.online);
    for (let i = 0; i < 3; i++) a.socket.send({ type: 'dm', connectionId, id: `d${i}`, text: 'hi' });
    await a.socket.next('dm_sent');
    await a.socket.next('dm_sent');
    expect(await a.socket.next('error')).toMatchObject({ code: 'rate_limited' });
    // find: 2 per window
    a.socket.send({ type: 'leave', chatId });
    await a.socket.next('ended');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    a.socket.send({ type: 'cancel' });
    await a.socket.next('idle');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    a.socket.send({ type: 'cancel' });
    await a.socket.next('idle');
    a.socket.send({ type: 'find' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'rate_limited' });
    later(WINDOW_MS);
    a.socket.send({ type: 'find' });
    expect((await a.socket.next('searching')).type).toBe('searching');
    a.socket.send({ type: 'dm', connectionId, id: 'again', text: 'hi' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ id: 'again', stored: true });
    a.socket.close();
  });

  it('limits are per account: another account is not slowed', async () => {
    later(WINDOW_MS);
    const user = await signUp(server.url);
    const other = await signUp(server.url);
    const s1 = await TestSocket.signedIn(server.wsUrl, user.token);
    const s2 = await TestSocket.signedIn(server.wsUrl, other.token);
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      s1.send({ type: 'find' });
      outcomes.push((await s1.next(undefined, (f) => f.type === 'searching' || f.type === 'error')).type);
      s1.send({ type: 'cancel' });
      await s1.next('idle');
    }
    expect(outcomes).toEqual(['searching', 'searching', 'error']);
    s2.send({ type: 'find' });
    expect((await s2.next('searching')).type).toBe('searching');
    s1.close();
    s2.close();
  });
});
