/**
 * Issue 10, one node: a chat survives a dropped connection for CHAT_GRACE_MS
 * (docs/protocol.md, "Resume after a dropped connection"), over real sockets.
 * Resumes run on a server with a long grace (they never race it); expiries on
 * one with a short grace, awaited by the `ended` frame it causes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';
import { chatting, freshTopic, person, type Person } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

serversOnPostgres();

const LONG_GRACE_MS = 20_000;
const SHORT_GRACE_MS = 500;

let long: Running;
let short: Running;
let bounded: Running;
let none: Running;
beforeAll(async () => {
  [long, short, bounded, none] = await Promise.all([
    startService({ CHAT_GRACE_MS: String(LONG_GRACE_MS) }),
    startService({ CHAT_GRACE_MS: String(SHORT_GRACE_MS) }),
    startService({ CHAT_GRACE_MS: String(LONG_GRACE_MS), CHAT_HELD_MESSAGES: '3', CHAT_HELD_BYTES: '1024' }),
    startService({ CHAT_GRACE_MS: '0' }),
  ]);
});
afterAll(async () => {
  await Promise.all([long, short, bounded, none].map((s) => s?.stop()));
});

const pairOn = (server: Running, names?: [string, string]) => chatting(server.url, server.wsUrl, names);

/** The person's connection drops (no close handshake); resolves once the partner has heard it. */
async function drop(who: Person, partner: Person, chatId: string, graceMs = LONG_GRACE_MS): Promise<void> {
  who.socket.ws.terminate();
  expect(await partner.socket.next('partner_away')).toEqual({ type: 'partner_away', chatId, graceMs });
}

/** A new socket of the same account (a reload, or another tab). */
const reconnect = (server: Running, who: Person) => TestSocket.signedIn(server.wsUrl, who.user.token);

const message = (chatId: string, id: string, text: string) => ({ type: 'send', chatId, id, text });

describe('resume within the grace', () => {
  it('gives back the chat with the held messages, once and in order; both directions go on', async () => {
    const { a, b, chatId } = await pairOn(long, ['Alice', 'Bob']);
    await drop(a, b, chatId);
    for (const id of ['m1', 'm2', 'm3']) {
      b.socket.send(message(chatId, id, `while away ${id}`));
      expect(await b.socket.next('sent')).toEqual({ type: 'sent', chatId, id, queued: true });
    }
    b.socket.send({ type: 'typing', chatId, typing: true });

    const back = await reconnect(long, a);
    back.send({ type: 'resume', chatId });
    const resumed = await back.next('resumed');
    expect(resumed.chat).toEqual({ id: chatId, partner: { nickname: 'Bob', commonInterests: expect.any(Array), ai: false } });
    expect(resumed.chat.partner.commonInterests).toHaveLength(1);
    expect(resumed.missed.map((m) => [m.id, m.text, m.chatId])).toEqual([
      ['m1', 'while away m1', chatId],
      ['m2', 'while away m2', chatId],
      ['m3', 'while away m3', chatId],
    ]);
    expect(await b.socket.next('partner_back')).toEqual({ type: 'partner_back', chatId });
    expect(await b.socket.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['m1', 'm2', 'm3'] });

    back.send(message(chatId, 'a1', 'hi again'));
    expect(await back.next('sent')).toEqual({ type: 'sent', chatId, id: 'a1' });
    expect(await b.socket.next('message')).toMatchObject({ chatId, id: 'a1', text: 'hi again' });
    b.socket.send(message(chatId, 'b1', 'welcome back'));
    expect(await b.socket.next('sent')).toEqual({ type: 'sent', chatId, id: 'b1' });
    expect(await back.next('message')).toMatchObject({ chatId, id: 'b1', text: 'welcome back' });

    // Once: a second resume of the same chat gives it without the held messages, and they never come as `message`.
    back.send({ type: 'resume', chatId });
    expect((await back.next('resumed')).missed).toEqual([]);
    await TestSocket.settled(back, b.socket);
    expect(back.received('message').map((m) => m.id)).toEqual(['b1']);
    expect(back.received('typing')).toEqual([]);
    expect(b.socket.received('delivered')).toHaveLength(1);
    back.close();
    b.socket.close();
  });

  it('works the other way round, and from a second tab that was open all along', async () => {
    const { a, b, chatId } = await pairOn(long);
    const bTab = await reconnect(long, b);
    await drop(b, a, chatId);
    a.socket.send(message(chatId, 'x', 'for bob'));
    expect(await a.socket.next('sent')).toMatchObject({ queued: true });
    // The other tab may not start a new search meanwhile: it is told which chat waits.
    bTab.send({ type: 'find' });
    expect(await bTab.next('error')).toMatchObject({ code: 'resume_pending', chatId });
    bTab.send({ type: 'resume', chatId });
    expect((await bTab.next('resumed')).missed.map((m) => m.text)).toEqual(['for bob']);
    expect(await a.socket.next('partner_back')).toEqual({ type: 'partner_back', chatId });
    expect(await a.socket.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['x'] });
    bTab.send(message(chatId, 'y', 'back'));
    expect(await a.socket.next('message')).toMatchObject({ id: 'y', text: 'back' });
    // The chat is no longer waiting: the tab can search once it leaves.
    bTab.send({ type: 'leave', chatId });
    expect(await a.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_left' });
    bTab.send({ type: 'find' });
    expect(await bTab.next('searching')).toEqual({ type: 'searching' });
    bTab.close();
    a.socket.close();
  });

  it('a tab that was searching when the chat began to wait stops searching and is told why', async () => {
    const { a, b, chatId } = await pairOn(long);
    const aTab = await reconnect(long, a);
    aTab.send({ type: 'find', interests: [freshTopic()] });
    await aTab.next('searching');
    await drop(a, b, chatId);
    expect(await aTab.next('error')).toMatchObject({ code: 'resume_pending', chatId });
    expect(await aTab.next('idle')).toEqual({ type: 'idle' });
    aTab.send({ type: 'resume', chatId });
    await aTab.next('resumed');
    await b.socket.next('partner_back');
    aTab.close();
    b.socket.close();
  });

  it('both away at once: each resume delivers what the other sent', async () => {
    const { a, b, chatId } = await pairOn(long, ['Ann', 'Ben']);
    await drop(a, b, chatId);
    b.socket.send(message(chatId, 'b1', 'from ben'));
    await b.socket.next('sent');
    b.socket.ws.terminate();

    const a2 = await reconnect(long, a);
    a2.send({ type: 'resume', chatId });
    expect((await a2.next('resumed')).missed.map((m) => m.id)).toEqual(['b1']);
    // Ben is away too: Ann is told so, and what she writes waits for him.
    expect(await a2.next('partner_away')).toMatchObject({ chatId });
    a2.send(message(chatId, 'a1', 'from ann'));
    expect(await a2.next('sent')).toEqual({ type: 'sent', chatId, id: 'a1', queued: true });

    const b2 = await reconnect(long, b);
    b2.send({ type: 'resume', chatId });
    const resumed = await b2.next('resumed');
    expect(resumed.chat.partner.nickname).toBe('Ann');
    expect(resumed.missed.map((m) => m.id)).toEqual(['a1']);
    expect(await b2.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['b1'] });
    expect(await a2.next('partner_back')).toEqual({ type: 'partner_back', chatId });
    expect(await a2.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['a1'] });
    a2.close();
    b2.close();
  });
});

describe('resume refused', () => {
  it('with a stranger’s chat id, or an unknown id', async () => {
    const { a, b, chatId } = await pairOn(long);
    await drop(a, b, chatId);
    const stranger = await person(long.url, long.wsUrl, [freshTopic()]);
    stranger.socket.send({ type: 'resume', chatId });
    expect(await stranger.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    const a2 = await reconnect(long, a);
    a2.send({ type: 'resume', chatId: 'no-such-chat' });
    expect(await a2.next('error')).toMatchObject({ code: 'not_in_chat' });
    // the stranger's attempt changed nothing: the chat still waits for its own person
    a2.send({ type: 'resume', chatId });
    await a2.next('resumed');
    await b.socket.next('partner_back');
    expect(b.socket.received('ended')).toEqual([]);
    a2.close();
    b.socket.close();
    stranger.socket.close();
  });

  it('from a tab that is in another chat: leave that one first', async () => {
    const x = await pairOn(long);
    // The same account, in a second chat on another tab.
    const tab = await reconnect(long, x.a);
    const other = await person(long.url, long.wsUrl, []);
    const topic = freshTopic();
    tab.send({ type: 'find', interests: [topic] });
    await tab.next('searching');
    other.socket.send({ type: 'find', interests: [topic] });
    const y = (await tab.next('matched')).chat.id;
    await drop(x.a, x.b, x.chatId);
    tab.send({ type: 'resume', chatId: x.chatId });
    expect(await tab.next('error')).toMatchObject({ code: 'bad_request' });
    tab.send({ type: 'leave', chatId: y });
    await tab.next('ended');
    tab.send({ type: 'resume', chatId: x.chatId });
    await tab.next('resumed');
    await x.b.socket.next('partner_back');
    tab.close();
    other.socket.close();
    x.b.socket.close();
  });

});

describe('the grace ends', () => {
  it('the partner is told which held messages never arrived; a late resume is not_in_chat', async () => {
    const { a, b, chatId } = await pairOn(short);
    await drop(a, b, chatId, SHORT_GRACE_MS);
    b.socket.send(message(chatId, 'lost1', 'one'));
    b.socket.send(message(chatId, 'lost2', 'two'));
    await b.socket.next('sent');
    await b.socket.next('sent');
    expect(await b.socket.next('ended', undefined, SHORT_GRACE_MS + 5_000)).toEqual({
      type: 'ended',
      chatId,
      reason: 'partner_disconnected',
      undelivered: ['lost1', 'lost2'],
    });
    const late = await reconnect(short, a);
    late.send({ type: 'resume', chatId });
    expect(await late.next('error')).toMatchObject({ code: 'not_in_chat' });
    // the account is free again
    late.send({ type: 'find', interests: [freshTopic()] });
    expect(await late.next('searching')).toEqual({ type: 'searching' });
    late.close();
    b.socket.close();
  });

  it('leave by the present partner ends it at once, with what was held for the other', async () => {
    const { a, b, chatId } = await pairOn(long);
    await drop(a, b, chatId);
    b.socket.send(message(chatId, 'h1', 'held'));
    await b.socket.next('sent');
    b.socket.send({ type: 'leave', chatId });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'you_left', undelivered: ['h1'] });
    const a2 = await reconnect(long, a);
    a2.send({ type: 'resume', chatId });
    expect(await a2.next('error')).toMatchObject({ code: 'not_in_chat' });
    a2.close();
    b.socket.close();
  });

  it('another tab of the away person may leave it instead, and then search', async () => {
    const { a, b, chatId } = await pairOn(long);
    await drop(a, b, chatId);
    b.socket.send(message(chatId, 'h1', 'held'));
    await b.socket.next('sent');
    const tab = await reconnect(long, a);
    tab.send({ type: 'leave', chatId });
    expect(await tab.next('ended')).toEqual({ type: 'ended', chatId, reason: 'you_left' });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_left', undelivered: ['h1'] });
    tab.send({ type: 'find', interests: [freshTopic()] });
    expect(await tab.next('searching')).toEqual({ type: 'searching' });
    tab.close();
    b.socket.close();
  });

  it('block by the present partner ends it at once', async () => {
    const { a, b, chatId } = await pairOn(long);
    await drop(a, b, chatId);
    b.socket.send({ type: 'block', chatId });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'blocked' });
    const a2 = await reconnect(long, a);
    a2.send({ type: 'resume', chatId });
    expect(await a2.next('error')).toMatchObject({ code: 'not_in_chat' });
    a2.close();
    b.socket.close();
  });

  it('signing out, or deleting everything, of the away person ends it at once for the partner', async () => {
    const first = await pairOn(long);
    await drop(first.a, first.b, first.chatId);
    expect((await api(long.url, 'DELETE', '/api/sessions/current', { token: first.a.user.token })).status).toBe(204);
    expect(await first.b.socket.next('ended')).toEqual({ type: 'ended', chatId: first.chatId, reason: 'partner_disconnected' });
    first.b.socket.close();

    const second = await pairOn(long);
    await drop(second.a, second.b, second.chatId);
    expect((await api(long.url, 'DELETE', '/api/me', { token: second.a.user.token })).status).toBe(204);
    expect(await second.b.socket.next('ended')).toEqual({ type: 'ended', chatId: second.chatId, reason: 'partner_disconnected' });
    second.b.socket.close();
  });

  it('a sign-out of the socket in the chat ends it at once (no grace)', async () => {
    const { a, b, chatId } = await pairOn(long);
    expect((await api(long.url, 'DELETE', '/api/sessions/current', { token: a.user.token })).status).toBe(204);
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_disconnected' });
    expect(b.socket.received('partner_away')).toEqual([]);
    b.socket.close();
  });
});

describe('bounds and settings', () => {
  it('holds at most CHAT_HELD_MESSAGES and CHAT_HELD_BYTES for an away partner, then answers partner_away', async () => {
    const { a, b, chatId } = await pairOn(bounded);
    await drop(a, b, chatId);
    for (const id of ['1', '2', '3']) {
      b.socket.send(message(chatId, id, 'short'));
      expect(await b.socket.next('sent')).toMatchObject({ id, queued: true });
    }
    b.socket.send(message(chatId, '4', 'one too many'));
    expect(await b.socket.next('error')).toMatchObject({ code: 'partner_away' });
    b.socket.send({ type: 'reveal', chatId, profile: { firstName: 'Bo' } });
    expect(await b.socket.next('error')).toMatchObject({ code: 'partner_away' });
    const a2 = await reconnect(bounded, a);
    a2.send({ type: 'resume', chatId });
    expect((await a2.next('resumed')).missed.map((m) => m.id)).toEqual(['1', '2', '3']);

    // bytes: 1000 bytes fit, 100 more do not
    a2.close();
    expect(await b.socket.next('partner_away')).toMatchObject({ chatId });
    b.socket.send(message(chatId, 'big', 'é'.repeat(500)));
    expect(await b.socket.next('sent')).toMatchObject({ id: 'big', queued: true });
    b.socket.send(message(chatId, 'more', 'x'.repeat(100)));
    expect(await b.socket.next('error')).toMatchObject({ code: 'partner_away' });
    b.socket.close();
  });

  it('CHAT_GRACE_MS=0 ends the chat at once, as before', async () => {
    const { a, b, chatId } = await pairOn(none);
    a.socket.ws.terminate();
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_disconnected' });
    expect(b.socket.received('partner_away')).toEqual([]);
    const a2 = await reconnect(none, a);
    a2.send({ type: 'resume', chatId });
    expect(await a2.next('error')).toMatchObject({ code: 'not_in_chat' });
    a2.send({ type: 'find', interests: [freshTopic()] });
    expect(await a2.next('searching')).toEqual({ type: 'searching' });
    a2.close();
    b.socket.close();
  });
});
