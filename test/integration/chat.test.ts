/** PROTOCOL §3 "Stranger chat" over real sockets: matching, relay, typing, leaving, disconnects. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp } from '../helpers/http.js';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';

serversOnPostgres();
import { freshTopic, person as signedInPerson } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: Running;
beforeAll(async () => {
  server = await startService({ MATCH_WIDEN_AFTER_MS: '400', MATCH_REMATCH_COOLDOWN_MS: '60000' });
});
afterAll(async () => {
  await server.stop();
});

/** A fresh interest per test, so tests running in one server do not pair across each other. */
const fresh = freshTopic;
const person = (interests: string[], nickname?: string) => signedInPerson(server.url, server.wsUrl, interests, nickname);

async function pair(interests: string[]) {
  const a = await person(interests, 'Alice');
  const b = await person(interests, 'Bob');
  a.socket.send({ type: 'find' });
  await a.socket.next('searching');
  b.socket.send({ type: 'find' });
  const ma = await a.socket.next('matched');
  const mb = await b.socket.next('matched');
  expect(ma.chat.id).toBe(mb.chat.id);
  return { a, b, chatId: ma.chat.id, ma, mb };
}

describe('matching', () => {
  it('pairs two people who share an interest and names what they share', async () => {
    const shared = fresh();
    const { ma, mb, a, b } = await pair([shared, 'only-alice-' + shared]);
    expect(ma.chat.partner).toEqual({ nickname: 'Bob', commonInterests: [shared, 'only-alice-' + shared].sort(), ai: false });
    expect(mb.chat.partner.nickname).toBe('Alice');
    a.socket.close();
    b.socket.close();
  });

  it('uses the interests given in find instead of the account’s', async () => {
    const t = fresh();
    const a = await person(['unrelated-' + t]);
    const b = await person([t]);
    a.socket.send({ type: 'find', interests: [` ${t.toUpperCase()} `] });
    b.socket.send({ type: 'find' });
    expect((await a.socket.next('matched')).chat.partner.commonInterests).toEqual([t]);
    a.socket.close();
    b.socket.close();
  });

  it('after PATCH /api/me, an open socket searches with the new interests and nickname', async () => {
    const t = fresh();
    const a = await person(['old-' + t], 'Before');
    const patched = await api(server.url, 'PATCH', '/api/me', { token: a.user.token, body: { nickname: 'After', interests: [t] } });
    expect(patched.status).toBe(200);
    const b = await person([t]);
    a.socket.send({ type: 'find' });
    b.socket.send({ type: 'find' });
    const mb = await b.socket.next('matched');
    expect(mb.chat.partner).toMatchObject({ nickname: 'After', commonInterests: [t] });
    a.socket.close();
    b.socket.close();
  });

  it('prefers the waiting person with the most shared interests', async () => {
    const [x, y, z] = [fresh(), fresh(), fresh()];
    const one = await person([x], 'One');
    const two = await person([y, z], 'Two');
    one.socket.send({ type: 'find' });
    two.socket.send({ type: 'find' });
    await one.socket.next('searching');
    await two.socket.next('searching');
    const me = await person([x, y, z], 'Me');
    me.socket.send({ type: 'find' });
    const matched = await me.socket.next('matched');
    expect(matched.chat.partner.nickname).toBe('Two');
    expect(matched.chat.partner.commonInterests).toEqual([y, z].sort());
    for (const p of [one, two, me]) p.socket.close();
  });

  it('pairs people without a shared interest once one has waited a while', async () => {
    const a = await person([fresh()]);
    const b = await person([fresh()]);
    a.socket.send({ type: 'find' });
    b.socket.send({ type: 'find' });
    const matched = await a.socket.next('matched', undefined, 5000);
    expect(matched.chat.partner.commonInterests).toEqual([]);
    await b.socket.next('matched');
    a.socket.close();
    b.socket.close();
  });

  it('never pairs an account with itself in two tabs', async () => {
    const t = fresh();
    const a = await person([t]);
    const tab2 = await TestSocket.signedIn(server.wsUrl, a.user.token);
    a.socket.send({ type: 'find' });
    tab2.send({ type: 'find' });
    await a.socket.next('searching');
    await tab2.next('searching');
    // Sharing the topic, they would be paired as the second find is handled.
    await TestSocket.settled(a.socket, tab2);
    expect([...a.socket.received('matched'), ...tab2.received('matched')]).toEqual([]);
    const b = await person([t]);
    b.socket.send({ type: 'find' });
    const mb = await b.socket.next('matched');
    expect(mb.chat.partner.nickname).toBe(a.user.account.nickname);
    a.socket.close();
    tab2.close();
    b.socket.close();
  });

  it('does not pair again at once the partner just left, but pairs each with someone new', async () => {
    const t = fresh();
    const { a, b, chatId } = await pair([t]);
    a.socket.send({ type: 'leave', chatId });
    await a.socket.next('ended');
    await b.socket.next('ended');
    a.socket.send({ type: 'find' });
    b.socket.send({ type: 'find' });
    await a.socket.next('searching');
    await b.socket.next('searching');
    await TestSocket.settled(a.socket, b.socket);
    expect(a.socket.received('matched')).toHaveLength(1);
    expect(b.socket.received('matched')).toHaveLength(1);
    const c = await person([t], 'Carol');
    c.socket.send({ type: 'find' });
    const mc = await c.socket.next('matched');
    expect(['Alice', 'Bob']).toContain(mc.chat.partner.nickname);
    for (const p of [a, b, c]) p.socket.close();
  });

  it('find while searching or chatting is a bad_request; cancel answers idle', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    a.socket.send({ type: 'find' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    a.socket.send({ type: 'leave', chatId });
    await a.socket.next('ended');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    a.socket.send({ type: 'find' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'bad_request' });
    a.socket.send({ type: 'cancel' });
    expect(await a.socket.next('idle')).toEqual({ type: 'idle' });
    a.socket.close();
    b.socket.close();
  });

  it('"near" prefers a partner in the same country (estimated from the IP, which is not kept)', async () => {
    const near = await startService({ TRUST_PROXY: 'cloudflare', MATCH_WIDEN_AFTER_MS: '5000' });
    try {
      const join = async (nickname: string, ip: string, interests: string[]) => {
        const user = await signUp(near.url, interests, nickname);
        const s = await TestSocket.open(near.wsUrl, { 'CF-Connecting-IP': ip });
        s.send({ type: 'hello', token: user.token });
        await s.next('inbox');
        return s;
      };
      for (const region of ['near', 'anywhere'] as const) {
        const [t, u, v] = [fresh(), fresh(), fresh()];
        const us = await join('InUS', '8.8.8.8', [t, u]); // bigger overlap, other country
        const gb = await join('InGB', '81.2.69.160', [v]); // smaller overlap, same country
        us.send({ type: 'find' });
        gb.send({ type: 'find' });
        await us.next('searching');
        await gb.next('searching');
        const me = await join('Me', '81.2.69.161', [t, u, v]);
        me.send({ type: 'find', region });
        const matched = await me.next('matched');
        expect(matched.chat.partner.nickname).toBe(region === 'near' ? 'InGB' : 'InUS');
        for (const s of [us, gb, me]) s.close();
      }
      expect(near.logs()).not.toContain('81.2.69.16');
      expect(near.logs()).not.toContain('8.8.8.8');
    } finally {
      await near.stop();
    }
  });
});

describe('relay', () => {
  it('relays messages both ways with sent acks, unicode intact', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    const text = 'héllo 👋🏽 مرحبا 你好 \u200d\n<b>not html</b> "quotes" \\ back';
    a.socket.send({ type: 'send', chatId, id: 'm1', text });
    expect(await a.socket.next('sent')).toEqual({ type: 'sent', chatId, id: 'm1' });
    const got = await b.socket.next('message');
    expect(got).toEqual({ type: 'message', chatId, id: 'm1', text, at: expect.any(String) });
    expect(Math.abs(Date.parse(got.at) - Date.now())).toBeLessThan(10_000);
    b.socket.send({ type: 'send', chatId, id: 'r1', text: 'back at you' });
    expect((await a.socket.next('message')).text).toBe('back at you');
    expect(await b.socket.next('sent')).toEqual({ type: 'sent', chatId, id: 'r1' });
    a.socket.close();
    b.socket.close();
  });

  it('keeps the order of a burst', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    for (let i = 0; i < 200; i++) a.socket.send({ type: 'send', chatId, id: `b${i}`, text: `n${i}` });
    for (let i = 0; i < 200; i++) expect((await b.socket.next('message')).text).toBe(`n${i}`);
    a.socket.close();
    b.socket.close();
  });

  it('relays typing to the partner only', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    a.socket.send({ type: 'typing', chatId, typing: true });
    expect(await b.socket.next('typing')).toEqual({ type: 'typing', chatId, typing: true });
    a.socket.send({ type: 'typing', chatId, typing: false });
    expect(await b.socket.next('typing')).toEqual({ type: 'typing', chatId, typing: false });
    await TestSocket.settled(a.socket);
    expect(a.socket.received('typing')).toEqual([]);
    a.socket.close();
    b.socket.close();
  });

  it('send, typing or leave for a chat one is not in is not_in_chat', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    const outsider = await person([fresh()]);
    outsider.socket.send({ type: 'send', chatId, id: 'x', text: 'intrude' });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    outsider.socket.send({ type: 'typing', chatId, typing: true });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    outsider.socket.send({ type: 'leave', chatId });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    await TestSocket.settled(outsider.socket, b.socket);
    expect([...b.socket.received('message'), ...b.socket.received('ended')]).toEqual([]);
    for (const p of [a, b, outsider]) p.socket.close();
  });
});

describe('ending a chat', () => {
  it('leave: you_left for the leaver, partner_left for the other; both are idle after', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    a.socket.send({ type: 'leave', chatId });
    expect(await a.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'you_left' });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_left' });
    b.socket.send({ type: 'send', chatId, id: 'late', text: 'hello?' });
    expect(await b.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    a.socket.close();
    b.socket.close();
  });

  it('a dropped socket tells the partner it is away (the chat waits: resume.test.ts)', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    a.socket.ws.terminate();
    expect(await b.socket.next('partner_away')).toEqual({ type: 'partner_away', chatId, graceMs: 5_000 });
    b.socket.send({ type: 'leave', chatId });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'you_left' });
    b.socket.close();
  });

  it('a dropped socket while searching leaves the queue', async () => {
    const t = fresh();
    const a = await person([t]);
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    a.socket.ws.terminate();
    await a.socket.closed;
    const b = await person([t]);
    const c = await person([t]);
    b.socket.send({ type: 'find' });
    await b.socket.next('searching');
    c.socket.send({ type: 'find' });
    expect((await b.socket.next('matched')).chat.partner.nickname).toBe(c.user.account.nickname);
    b.socket.close();
    c.socket.close();
  });

  it('both leaving at the same instant: no error, no one stuck, both find new partners', async () => {
    const t = fresh();
    const { a, b, chatId } = await pair([t]);
    a.socket.send({ type: 'leave', chatId });
    b.socket.send({ type: 'leave', chatId });
    a.socket.send({ type: 'find' });
    b.socket.send({ type: 'find' });
    const aEnded = await a.socket.next('ended');
    const bEnded = await b.socket.next('ended');
    expect([aEnded.reason, bEnded.reason].sort()).toEqual(['partner_left', 'you_left']);
    await a.socket.next('searching');
    await b.socket.next('searching');
    const c = await person([t], 'Carol');
    const d = await person([t], 'Dave');
    c.socket.send({ type: 'find' });
    d.socket.send({ type: 'find' });
    const partners = [(await a.socket.next('matched')).chat.partner.nickname, (await b.socket.next('matched')).chat.partner.nickname].sort();
    expect(partners).toEqual(['Carol', 'Dave']);
    expect([...a.socket.unclaimed, ...b.socket.unclaimed].filter((f) => f.type === 'error')).toEqual([]);
    for (const p of [a, b, c, d]) p.socket.close();
  });
});

describe('end-to-end keys reach only clients that offer one (docs/protocol.md `key`)', () => {
  const keyOf = (fill: string) => `${fill.repeat(42)}A`;

  it('a client that never offers a key never gets one, and its chat goes on in plain text', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    a.socket.send({ type: 'key', chatId, publicKey: keyOf('A') });
    a.socket.send({ type: 'send', chatId, id: 'after-key', text: 'plain after a key offer' });
    // B's next frame after A's key is A's message: the key frame was held for B, not sent.
    expect(await b.socket.next('message')).toMatchObject({ text: 'plain after a key offer' });
    expect(b.socket.received('key')).toEqual([]);
    a.socket.close();
    b.socket.close();
  });

  it('two clients that both offer get each other’s key, whichever offered first', async () => {
    const { a, b, chatId } = await pair([fresh()]);
    a.socket.send({ type: 'key', chatId, publicKey: keyOf('A') });
    a.socket.send({ type: 'send', chatId, id: 'marker', text: 'marker' });
    await b.socket.next('message');
    expect(b.socket.received('key')).toEqual([]);
    b.socket.send({ type: 'key', chatId, publicKey: keyOf('B') });
    expect(await b.socket.next('key')).toEqual({ type: 'key', chatId, publicKey: keyOf('A') });
    expect(await a.socket.next('key')).toEqual({ type: 'key', chatId, publicKey: keyOf('B') });
    a.socket.close();
    b.socket.close();
  });
});
