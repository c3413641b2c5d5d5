/**
 * Two nodes over PostgreSQL and a Redis of the test's own that it kills and
 * restarts: the numbered defects of issue 11. Acknowledgements are honest
 * (`sent`, `dm_sent` only once delivered or handed on; otherwise a retryable
 * `unavailable`), and after each outage every node recovers: searches go on,
 * presence is back, a chat's end reaches both sides or neither.
 * Runs when DATABASE_URL is set and redis-server is installed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { freshTopic, meetAndConnect, person, type Person } from '../helpers/people.js';
import { clusterWithOwnRedis, outage, recovery, redisServerAvailable } from '../helpers/redisServer.js';
import type { Running } from '../helpers/inProcess.js';

const databaseUrl = process.env.DATABASE_URL;
/** Short, so that a node judging the other dead (or not) shows within the test. */
const NODE_TTL_MS = '900';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function crossChat(node1: Running, node2: Running, names: [string, string]): Promise<{ a: Person; b: Person; chatId: string }> {
  const topic = freshTopic();
  const a = await person(node1.url, node1.wsUrl, [topic], names[0]);
  const b = await person(node2.url, node2.wsUrl, [topic], names[1]);
  cleanups.push(async () => {
    a.socket.close();
    b.socket.close();
  });
  a.socket.send({ type: 'find' });
  await a.socket.next('searching');
  b.socket.send({ type: 'find' });
  const chatId = (await a.socket.next('matched')).chat.id;
  await b.socket.next('searching');
  await b.socket.next('matched');
  return { a, b, chatId };
}

/** A message from `from` reaches `to` and `from` gets `sent` for it. */
async function relays(from: Person, to: Person, chatId: string, id: string): Promise<void> {
  from.socket.send({ type: 'send', chatId, id, text: `text ${id}` });
  expect(await from.socket.next()).toEqual({ type: 'sent', chatId, id });
  expect(await to.socket.next('message', (m) => m.id === id)).toMatchObject({ chatId, text: `text ${id}` });
}

/** Polls a condition of a node's state, for at most `waitMs`. */
async function until(condition: () => boolean, waitMs = 5000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(databaseUrl && redisServerAvailable())('two nodes through Redis outages', () => {
  it('defect 4: a send while Redis is away is refused with unavailable, never acknowledged; the chat relays again after', async () => {
    const { redis, node1, node2 } = await clusterWithOwnRedis(cleanups, databaseUrl!, { NODE_TTL_MS });
    const { a, b, chatId } = await crossChat(node1, node2, ['Sends', 'Waits']);

    await outage(redis, node1, node2);
    a.socket.send({ type: 'send', chatId, id: 'lost-1', text: 'during the outage' });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'unavailable', retryAfterMs: expect.any(Number) });

    await recovery(redis, node1, node2);
    await relays(a, b, chatId, 'after-1');
    await relays(b, a, chatId, 'after-2');
    expect(a.socket.received('sent').map((f) => f.id)).toEqual(['after-1']);
    expect(b.socket.received('message').map((f) => f.id)).toEqual(['after-1']);
  });

  it('defect 3: a chat across the nodes ends for both or neither, outage after outage', async () => {
    const { redis, node1, node2 } = await clusterWithOwnRedis(cleanups, databaseUrl!, { NODE_TTL_MS });
    const { a, b, chatId } = await crossChat(node1, node2, ['Stays', 'Too']);
    // Nothing happens during these outages: the chat goes on for both.
    for (let i = 0; i < 3; i++) {
      await outage(redis, node1, node2);
      await recovery(redis, node1, node2);
      await relays(a, b, chatId, `a-${i}`);
      await relays(b, a, chatId, `b-${i}`);
    }
    expect([...a.socket.received('ended'), ...b.socket.received('ended')]).toEqual([]);

    // One leaves during an outage: once Redis is back, the other is told, and nothing more is acknowledged.
    await outage(redis, node1, node2);
    a.socket.send({ type: 'leave', chatId });
    expect(await a.socket.next('ended')).toMatchObject({ chatId, reason: 'you_left' });
    await recovery(redis, node1, node2);
    expect(await b.socket.next('ended')).toMatchObject({ chatId });
    b.socket.send({ type: 'send', chatId, id: 'too-late', text: 'anyone?' });
    expect(await b.socket.next()).toMatchObject({ type: 'error', code: 'not_in_chat' });

    // Another chat; one closes the socket during an outage: the other's chat ends once Redis is back.
    const second = await crossChat(node1, node2, ['Closes', 'Stays']);
    await outage(redis, node1, node2);
    second.b.socket.close();
    await recovery(redis, node1, node2);
    expect(await second.a.socket.next('ended')).toMatchObject({ chatId: second.chatId, reason: 'partner_disconnected' });
  });

  it('defect 1: a search running through an outage ends in a match with a newcomer on the other node', async () => {
    const { redis, node1, node2 } = await clusterWithOwnRedis(cleanups, databaseUrl!, { NODE_TTL_MS, MATCH_WIDEN_AFTER_MS: '60000' });
    const topic = freshTopic();
    const a = await person(node1.url, node1.wsUrl, [topic], 'Searches');
    const b = await person(node2.url, node2.wsUrl, [topic], 'Arrives');
    cleanups.push(async () => {
      a.socket.close();
      b.socket.close();
    });
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    // In the shared queue before Redis dies (not a command ioredis would resend after it).
    await until(() => node1.service.lobby.searchingCount === 1);

    await outage(redis, node1, node2);
    await recovery(redis, node1, node2);
    b.socket.send({ type: 'find' });
    await b.socket.next('searching');
    const matched = await a.socket.next('matched');
    expect(await b.socket.next('matched')).toMatchObject({ chat: { id: matched.chat.id } });
  });

  it('defect 2: after an outage a dm to a connection online on the other node is relayed live, and the list shows them online', async () => {
    // The default lifetime: the periodic presence refresh (a third of it) comes long after the test.
    const { redis, node1, node2 } = await clusterWithOwnRedis(cleanups, databaseUrl!, { NODE_TTL_MS: '30000' });
    const a = await person(node1.url, node1.wsUrl, [], 'Writes');
    const b = await person(node2.url, node2.wsUrl, [], 'Online');
    cleanups.push(async () => {
      a.socket.close();
      b.socket.close();
    });
    const connectionId = await meetAndConnect(a, b);

    await outage(redis, node1, node2);
    await recovery(redis, node1, node2);
    const list = await api<{ connections: Array<{ id: string; online: boolean }> }>(node1.url, 'GET', '/api/connections', { token: a.user.token });
    expect(list.body.connections.find((c) => c.id === connectionId)?.online).toBe(true);
    a.socket.send({ type: 'dm', connectionId, id: 'dm-1', text: 'still there?' });
    expect(await a.socket.next('dm_sent')).toEqual({ type: 'dm_sent', connectionId, id: 'dm-1', stored: false });
    expect(await b.socket.next('dm')).toMatchObject({ connectionId, id: 'dm-1', text: 'still there?' });
  });

  it('a dm while Redis is away is refused with unavailable, never acknowledged (limits off, so the dm path itself answers)', async () => {
    const { redis, node1, node2 } = await clusterWithOwnRedis(cleanups, databaseUrl!, { NODE_TTL_MS, RATE_LIMITS: 'off' });
    const a = await person(node1.url, node1.wsUrl, [], 'Writes');
    const b = await person(node2.url, node2.wsUrl, [], 'Online');
    cleanups.push(async () => {
      a.socket.close();
      b.socket.close();
    });
    const connectionId = await meetAndConnect(a, b);

    await outage(redis, node1, node2);
    a.socket.send({ type: 'dm', connectionId, id: 'dm-lost', text: 'during the outage' });
    expect(await a.socket.next()).toMatchObject({ type: 'error', code: 'unavailable' });
    await recovery(redis, node1, node2);
    a.socket.send({ type: 'dm', connectionId, id: 'dm-2', text: 'now?' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ id: 'dm-2', stored: false });
    expect(await b.socket.next('dm')).toMatchObject({ id: 'dm-2' });
    expect(a.socket.received('dm_sent').map((f) => f.id)).toEqual(['dm-2']);
    expect(node1.logs()).not.toContain('frame failed');
  });
});
