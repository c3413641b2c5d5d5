/** PROTOCOL §3 "Session" and the socket's rules: hello, deadline, frame cap, bad frames, ping. */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { chatting } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: Running;
beforeAll(async () => {
  server = await startService({ WS_HELLO_DEADLINE_MS: '5000' });
});
afterAll(async () => {
  await server.stop();
});

describe('hello', () => {
  it('answers a valid token with ready {account} then inbox {messages}', async () => {
    const user = await signUp(server.url, ['chess'], 'Hello');
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'hello', token: user.token });
    const ready = await socket.next();
    expect(ready).toEqual({ type: 'ready', account: user.account });
    expect(await socket.next()).toEqual({ type: 'inbox', messages: [] });
    socket.close();
  });

  it('answers an invalid or revoked token with unauthorized and close 4401', async () => {
    const user = await signUp(server.url);
    await api(server.url, 'DELETE', '/api/sessions/current', { token: user.token });
    for (const token of ['not-a-token', user.token]) {
      const socket = await TestSocket.open(server.wsUrl);
      socket.send({ type: 'hello', token });
      expect(await socket.next('error')).toMatchObject({ code: 'unauthorized' });
      expect((await socket.closed).code).toBe(4401);
    }
  });

  it('closes with 4401 when no hello arrives within 5 s', async () => {
    const socket = await TestSocket.open(server.wsUrl);
    const started = Date.now();
    const { code } = await socket.closedWithin(8_000);
    expect(code).toBe(4401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
  }, 15_000);

  it('handles frames sent right after hello, in order, once ready', async () => {
    const user = await signUp(server.url, ['quick']);
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'hello', token: user.token });
    socket.send({ type: 'find' });
    expect((await socket.next()).type).toBe('ready');
    expect((await socket.next()).type).toBe('inbox');
    expect((await socket.next()).type).toBe('searching');
    socket.send({ type: 'cancel' });
    expect((await socket.next()).type).toBe('idle');
    socket.close();
  });

  it('refuses other frames before hello without closing', async () => {
    const socket = await TestSocket.open(server.wsUrl);
    socket.send({ type: 'find' });
    expect(await socket.next('error')).toMatchObject({ code: 'unauthorized' });
    const user = await signUp(server.url);
    socket.send({ type: 'hello', token: user.token });
    expect((await socket.next('ready')).type).toBe('ready');
    socket.send({ type: 'hello', token: user.token });
    expect(await socket.next('error')).toMatchObject({ code: 'bad_request' });
    socket.close();
  });
});

describe('the endpoint', () => {
  it('a plain GET /ws asks for an upgrade; upgrades elsewhere are refused', async () => {
    const res = await fetch(`${server.url}/ws`);
    expect(res.status).toBe(426);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upgrade_required');
    const elsewhere = new WebSocket(`${server.wsUrl.replace('/ws', '/api/me')}`);
    const outcome = await new Promise<string>((resolve) => {
      elsewhere.on('open', () => resolve('open'));
      elsewhere.on('unexpected-response', (_req, r) => resolve(String(r.statusCode)));
      elsewhere.on('error', () => resolve('error'));
    });
    expect(outcome).not.toBe('open');
  });
});

describe('frame rules', () => {
  it('a frame over 16 KiB closes the socket with 1009', async () => {
    const user = await signUp(server.url);
    const socket = await TestSocket.signedIn(server.wsUrl, user.token);
    socket.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(17 * 1024) }));
    expect((await socket.closed).code).toBe(1009);
  });

  it('malformed or unknown frames get bad_request and the socket stays open', async () => {
    const user = await signUp(server.url);
    const socket = await TestSocket.signedIn(server.wsUrl, user.token);
    const bad = [
      'not json',
      '{"type":',
      '[]',
      '42',
      'null',
      '"find"',
      '{}',
      '{"type":"nope"}',
      '{"type":"send","chatId":"x","id":"1"}',
      '{"type":"send","chatId":"x","id":"1","text":""}',
      '{"type":"send","chatId":"x","id":"","text":"hi"}',
      `{"type":"send","chatId":"x","id":"${'i'.repeat(65)}","text":"hi"}`,
      '{"type":"send","chatId":"x","id":"1","text":42}',
      '{"type":"typing","chatId":"x","typing":"yes"}',
      '{"type":"find","region":"mars"}',
      '{"type":"find","interests":"chess"}',
      '{"type":"cancel","extra":1}',
      '{"type":"find","__proto__":{"polluted":true}}',
    ];
    for (const frame of bad) {
      socket.send(frame);
      const reply = await socket.next('error');
      expect(reply, frame).toMatchObject({ type: 'error', code: 'bad_request', message: expect.any(String) });
    }
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await socket.next('error')).toMatchObject({ code: 'bad_request' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    socket.send({ type: 'ping' });
    expect(await socket.next('pong')).toEqual({ type: 'pong' });
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it('a text over 2000 characters is too_long; 2000 emoji are fine', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const [sa, sb] = [a.socket, b.socket];
    sa.send({ type: 'send', chatId, id: 'long', text: 'x'.repeat(2001) });
    expect(await sa.next('error')).toMatchObject({ code: 'too_long' });
    const emoji = '😀'.repeat(2000);
    sa.send({ type: 'send', chatId, id: 'emoji', text: emoji });
    expect(await sa.next('sent')).toEqual({ type: 'sent', chatId, id: 'emoji' });
    expect((await sb.next('message')).text).toBe(emoji);
    sa.close();
    sb.close();
  });
});

describe('liveness', () => {
  it('a client that stops answering pings is dropped and its partner told', async () => {
    const quick = await startService({ WS_PING_INTERVAL_MS: '150', CHAT_GRACE_MS: '300' });
    try {
      const a = await signUp(quick.url, ['ping-test']);
      const b = await signUp(quick.url, ['ping-test']);
      const sa = await TestSocket.signedIn(quick.wsUrl, a.token);
      const sb = await TestSocket.signedIn(quick.wsUrl, b.token);
      sa.send({ type: 'find' });
      sb.send({ type: 'find' });
      const chatId = (await sa.next('matched')).chat.id;
      await sb.next('matched');
      // b's socket goes deaf: ws answers pings automatically, so pause its reading.
      (sb.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      // it is away first (a dropped connection), then gone when the grace ends
      expect(await sa.next('partner_away', undefined, 5000)).toEqual({ type: 'partner_away', chatId, graceMs: 300 });
      expect(await sa.next('ended', undefined, 5000)).toEqual({ type: 'ended', chatId, reason: 'partner_disconnected' });
      // a, which answers pings, is still connected
      sa.send({ type: 'ping' });
      expect((await sa.next('pong')).type).toBe('pong');
      sa.close();
    } finally {
      await quick.stop();
    }
  });
});
