/**
 * Issue 9 finding 6: every frame counts against a per-socket budget, before
 * and after hello, and the socket's queues are bounded. A flood is answered a
 * bounded number of times (one `rate_limited`, then silence, then close 1008),
 * the partner stays connected and gets at most one `revealed`, and everyone
 * else keeps being served.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAME_BUDGET } from '../../src/shared/limits.js';
import { api, signUp } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { chatting, connected } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: Running;
beforeAll(async () => {
  server = await startService({ LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await server.stop();
});

type Pair = Awaited<ReturnType<typeof chatting>>;

/** A pair chatting beside the flood: both still get each other's messages, and the server answers HTTP. */
async function stillServed({ a, b, chatId }: Pair): Promise<void> {
  a.socket.send({ type: 'send', chatId, id: 'after', text: 'still here' });
  expect((await b.socket.next('message')).text).toBe('still here');
  b.socket.send({ type: 'send', chatId, id: 'after', text: 'me too' });
  expect((await a.socket.next('message')).text).toBe('me too');
  expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
  a.socket.close();
  b.socket.close();
}

/** Sends the same frame many times in one write, so the server gets them together. */
function flood(socket: TestSocket, frame: unknown, times: number): void {
  const raw = JSON.stringify(frame);
  const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
  tcp.cork();
  for (let i = 0; i < times; i++) socket.send(raw);
  tcp.uncork();
}

const errors = <F extends { type: string; code?: unknown }>(frames: readonly F[], code: string): F[] => frames.filter((f) => f.type === 'error' && f.code === code);

describe('frame budget', () => {
  it('17,000 reveals: one is relayed, a bounded number answered, then the flooder is closed 1008', async () => {
    const bystanders = await chatting(server.url, server.wsUrl, ['Calm', 'Steady']);
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const start = a.socket.frames.length;
    flood(a.socket, { type: 'reveal', chatId, profile: { firstName: 'Ann' } }, 17_000);
    expect((await a.socket.closed).code).toBe(1008);
    const answers = a.socket.frames.slice(start);
    expect(answers.length).toBeLessThanOrEqual(FRAME_BUDGET.burst + 10);
    expect(errors(answers, 'rate_limited')).toHaveLength(1);
    expect(errors(answers, 'rate_limited')[0]!.retryAfterMs).toBeGreaterThan(0);
    // the partner hears the chat end, after every relayed frame: one reveal, and its socket stays open
    expect(await b.socket.next('ended')).toMatchObject({ chatId, reason: 'partner_disconnected' });
    expect(b.socket.frames.filter((f) => f.type === 'revealed')).toHaveLength(1);
    expect(b.socket.ws.readyState).toBe(WebSocket.OPEN);
    b.socket.send({ type: 'find' });
    await b.socket.next('searching');
    b.socket.close();
    await stillServed(bystanders);
  });

  it('a second reveal in the same chat is refused and not relayed', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'reveal', chatId, profile: { firstName: 'Ann', age: 30 } });
    expect(await b.socket.next('revealed')).toMatchObject({ chatId, profile: { firstName: 'Ann', age: 30 } });
    a.socket.send({ type: 'reveal', chatId, profile: { firstName: 'Someone else' } });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    // the other side may still reveal once
    b.socket.send({ type: 'reveal', chatId, profile: { gender: 'm' } });
    expect(await a.socket.next('revealed')).toMatchObject({ chatId, profile: { gender: 'm' } });
    await Promise.all([a.socket.flushed(), b.socket.flushed()]);
    expect(b.socket.frames.filter((f) => f.type === 'revealed')).toHaveLength(1);
    // a new chat is a new chance
    a.socket.send({ type: 'leave', chatId });
    await b.socket.next('ended');
    a.socket.close();
    b.socket.close();
  });

  it('a typing flood: a few reach the partner, one rate_limited, then close 1008', async () => {
    const bystanders = await chatting(server.url, server.wsUrl, ['Calm', 'Steady']);
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const start = a.socket.frames.length;
    flood(a.socket, { type: 'typing', chatId, typing: true }, 20_000);
    expect((await a.socket.closed).code).toBe(1008);
    const answers = a.socket.frames.slice(start);
    expect(answers).toHaveLength(1);
    expect(errors(answers, 'rate_limited')).toHaveLength(1);
    expect(await b.socket.next('ended')).toMatchObject({ reason: 'partner_disconnected' });
    const typings = b.socket.frames.filter((f) => f.type === 'typing').length;
    expect(typings).toBeGreaterThan(0);
    expect(typings).toBeLessThanOrEqual(FRAME_BUDGET.typing.burst + 2);
    expect(b.socket.ws.readyState).toBe(WebSocket.OPEN);
    b.socket.close();
    await stillServed(bystanders);
  });

  it('a ping flood: a few pongs, one rate_limited, then close 1008', async () => {
    const bystanders = await chatting(server.url, server.wsUrl, ['Calm', 'Steady']);
    const user = await signUp(server.url);
    const socket = await TestSocket.signedIn(server.wsUrl, user.token);
    const start = socket.frames.length;
    const throttled = server.service.gateway.throttled;
    flood(socket, { type: 'ping' }, 20_000);
    expect((await socket.closed).code).toBe(1008);
    expect(server.service.gateway.throttled).toBeGreaterThan(throttled);
    const answers = socket.frames.slice(start);
    expect(answers.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(FRAME_BUDGET.ping.burst + 2);
    expect(errors(answers, 'rate_limited')).toHaveLength(1);
    expect(answers.length).toBeLessThanOrEqual(FRAME_BUDGET.ping.burst + 3);
    await stillServed(bystanders);
  });

  it('20,000 frames before hello: at most a few answered, then close 1008', async () => {
    const bystanders = await chatting(server.url, server.wsUrl, ['Calm', 'Steady']);
    const socket = await TestSocket.open(server.wsUrl);
    flood(socket, { type: 'find' }, 20_000);
    expect((await socket.closed).code).toBe(1008);
    expect(socket.frames.length).toBeLessThanOrEqual(FRAME_BUDGET.beforeReady);
    expect(socket.frames.every((f) => f.type === 'error' && f.code === 'unauthorized')).toBe(true);
    // the same right after a hello, while the token is checked
    const user = await signUp(server.url);
    const eager = await TestSocket.open(server.wsUrl);
    eager.send({ type: 'hello', token: user.token });
    flood(eager, { type: 'ping' }, 20_000);
    expect((await eager.closed).code).toBe(1008);
    expect(eager.frames.filter((f) => f.type === 'pong').length).toBeLessThan(FRAME_BUDGET.beforeReady);
    await stillServed(bystanders);
  });

  it('1,500 reads of 1000 ids: a few are done, one rate_limited, the socket stays', async () => {
    const bystanders = await chatting(server.url, server.wsUrl, ['Calm', 'Steady']);
    const user = await signUp(server.url);
    const socket = await TestSocket.signedIn(server.wsUrl, user.token);
    const start = socket.frames.length;
    const ids = Array.from({ length: 1000 }, (_, i) => `r${i}`);
    flood(socket, { type: 'read', ids }, 1_500);
    await socket.flushed(30_000);
    const answers = socket.frames.slice(start);
    expect(answers).toHaveLength(1);
    expect(errors(answers, 'rate_limited')).toHaveLength(1);
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    await stillServed(bystanders);
    socket.close();
  }, 60_000);

  it('frames waiting on the database are bounded: past the bound, rate_limited once and dropped', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const start = a.socket.frames.length;
    flood(a.socket, { type: 'dm', connectionId, id: 'same', text: 'hi' }, 200);
    expect(await a.socket.next('error')).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
    // One dm runs and the queue holds the next ones: those are answered (the database is on
    // another thread, so they may still be draining now); the rest were dropped.
    for (let i = 0; i < 1 + FRAME_BUDGET.queuedMax; i++) await a.socket.next('dm_sent', (f) => f.id === 'same');
    // Once it has drained, a later dm is handled, after them.
    a.socket.send({ type: 'dm', connectionId, id: 'last', text: 'bye' });
    await a.socket.next('dm_sent', (f) => f.id === 'last');
    const answers = a.socket.frames.slice(start);
    const sent = answers.filter((f) => f.type === 'dm_sent' && f.id === 'same').length;
    expect(sent).toBe(1 + FRAME_BUDGET.queuedMax);
    expect(errors(answers, 'rate_limited')).toHaveLength(1);
    a.socket.close();
    b.socket.close();
  });
});

describe('WS_FRAME_BURST and WS_FRAMES_PER_SECOND', () => {
  let strict: Running;
  beforeAll(async () => {
    strict = await startService({ LOG_LEVEL: 'warn', WS_FRAME_BURST: '20', WS_FRAMES_PER_SECOND: '1' });
  });
  afterAll(async () => {
    await strict.stop();
  });

  it('set the budget', async () => {
    const user = await signUp(strict.url);
    const socket = await TestSocket.signedIn(strict.wsUrl, user.token);
    flood(socket, { type: 'cancel' }, 30);
    await socket.flushed();
    const idle = socket.frames.filter((f) => f.type === 'idle').length;
    expect(idle).toBeGreaterThanOrEqual(20);
    expect(idle).toBeLessThanOrEqual(21);
    expect(errors(socket.frames, 'rate_limited')).toHaveLength(1);
    socket.close();
  });
});

describe('with RATE_LIMITS=off', () => {
  let unlimited: Running;
  beforeAll(async () => {
    unlimited = await startService({ LOG_LEVEL: 'warn', RATE_LIMITS: 'off' });
  });
  afterAll(async () => {
    await unlimited.stop();
  });

  it('the budget is off, but frames waiting for the hello are still bounded', async () => {
    const user = await signUp(unlimited.url);
    const socket = await TestSocket.open(unlimited.wsUrl);
    const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
    tcp.cork();
    socket.send({ type: 'hello', token: user.token });
    flood(socket, { type: 'ping' }, 200);
    tcp.uncork();
    await socket.next('ready');
    await socket.flushed();
    expect(errors(socket.frames, 'rate_limited')).toHaveLength(1);
    expect(socket.frames.filter((f) => f.type === 'pong')).toHaveLength(FRAME_BUDGET.queuedMax);
    // no budget: a burst far beyond the default one is all answered
    const burst = FRAME_BUDGET.burst * 2;
    flood(socket, { type: 'ping' }, burst);
    await socket.flushed();
    expect(socket.frames.filter((f) => f.type === 'pong')).toHaveLength(FRAME_BUDGET.queuedMax + burst);
    socket.close();
  });
});
