/**
 * Shared policy across nodes: presence of a crashed node's people expires after
 * NODE_TTL_MS, and the rematch cooldown holds for two people on different nodes.
 * Runs when DATABASE_URL and REDIS_URL are set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoNodes } from '../helpers/cluster.js';
import { api } from '../helpers/http.js';
import { connected, freshTopic, person } from '../helpers/people.js';
import { startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

const NODE_TTL_MS = 900;
const COOLDOWN_MS = 1500;
// Longer than the cooldown, so the one widen retry of a queued searcher comes after it.
const WIDEN_AFTER_MS = 2500;

describe.runIf(databaseUrl && redisUrl)('shared policy across nodes', () => {
  const cluster = twoNodes(databaseUrl!, redisUrl!, 'metsony_policy', {
    NODE_TTL_MS: String(NODE_TTL_MS),
    MATCH_REMATCH_COOLDOWN_MS: String(COOLDOWN_MS),
    MATCH_WIDEN_AFTER_MS: String(WIDEN_AFTER_MS),
  });

  it("a crashed node's people go offline within NODE_TTL_MS, not a fixed 30 s", async () => {
    const node3 = await startServerProcess({ env: cluster.env });
    try {
      const { a, b, connectionId } = await connected(cluster.node1.url, cluster.node1.wsUrl, ['Stays', 'Crashes']);
      // Bob moves to node 3, which then dies without removing his presence.
      b.socket.close();
      await a.socket.next('presence', (f) => f.online === false);
      const onThree = await TestSocket.signedIn(node3.wsUrl, b.user.token);
      expect(await a.socket.next('presence')).toEqual({ type: 'presence', connectionId, online: true });
      await node3.kill();
      const killedAt = Date.now();
      const online = async () =>
        (await api<{ connections: Array<{ id: string; online: boolean }> }>(cluster.node1.url, 'GET', '/api/connections', { token: a.user.token })).body.connections.find(
          (c) => c.id === connectionId,
        )?.online;
      // Bounded well below the old fixed 30 s expiry: NODE_TTL_MS plus slack for a slow machine.
      const deadline = killedAt + 5 * NODE_TTL_MS;
      while ((await online()) !== false) {
        if (Date.now() > deadline) throw new Error(`still online ${Date.now() - killedAt} ms after the node died`);
        await new Promise((r) => setTimeout(r, 50));
      }
      a.socket.close();
      onThree.close();
    } finally {
      await node3.kill();
    }
  });

  it('two people on different nodes who just left each other are paired again only after the cooldown', async () => {
    const topic = freshTopic();
    const a = await person(cluster.node1.url, cluster.node1.wsUrl, [topic], 'LeftOne');
    const b = await person(cluster.node2.url, cluster.node2.wsUrl, [topic], 'LeftTwo');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    b.socket.send({ type: 'find' });
    const first = (await a.socket.next('matched')).chat.id;
    await b.socket.next('matched');

    b.socket.send({ type: 'leave', chatId: first });
    await b.socket.next('ended');
    const leftAt = Date.now();
    await a.socket.next('ended');

    a.socket.send({ type: 'find' });
    expect(await a.socket.next()).toMatchObject({ type: 'searching' });
    b.socket.send({ type: 'find' });
    expect(await b.socket.next()).toMatchObject({ type: 'searching' });
    expect(Date.now() - leftAt).toBeLessThan(COOLDOWN_MS);

    // Without the shared cooldown B's search claims A at once (B is told `searching` first either way);
    // with it, only their widen retry, after the cooldown, pairs them again.
    const again = await a.socket.next('matched', undefined, WIDEN_AFTER_MS + 5000);
    expect(Date.now() - leftAt).toBeGreaterThanOrEqual(COOLDOWN_MS);
    expect(again.chat.partner.nickname).toBe('LeftTwo');
    expect((await b.socket.next('matched')).chat.id).toBe(again.chat.id);
    a.socket.close();
    b.socket.close();
  });
});

const BURST = 6;

describe.runIf(databaseUrl && redisUrl)('the per-account message rate across nodes', () => {
  // A refill this slow adds nothing during the test: only the burst counts.
  const cluster = twoNodes(databaseUrl!, redisUrl!, 'metsony_rate', { RATE_MESSAGE: '1/60', RATE_MESSAGE_BURST: String(BURST), NODE_TTL_MS: String(NODE_TTL_MS) });

  async function chatOn(base: string, wsUrl: string, tab: TestSocket) {
    const topic = freshTopic();
    const partner = await person(base, wsUrl, [topic]);
    tab.send({ type: 'find', interests: [topic] });
    await tab.next('searching');
    partner.socket.send({ type: 'find' });
    const chatId = (await tab.next('matched')).chat.id;
    return { partner, chatId };
  }

  /** Sends `n` messages and returns how many were acknowledged `sent` (the others are `rate_limited`). */
  async function burst(tab: TestSocket, chatId: string, n: number): Promise<number> {
    for (let i = 0; i < n; i++) tab.send({ type: 'send', chatId, id: `m${i}`, text: 'hi' });
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const answer = await tab.next(undefined, (f) => f.type === 'sent' || f.type === 'error');
      if (answer.type === 'sent') sent++;
      else expect(answer).toMatchObject({ code: 'rate_limited' });
    }
    return sent;
  }

  it('an account with a tab on each node gets the rate once, not once per node', async () => {
    const { node1, node2 } = cluster;
    const x = await person(node1.url, node1.wsUrl, [], 'TwoTabs');
    const tab2 = await TestSocket.signedIn(node2.wsUrl, x.user.token);
    const one = await chatOn(node1.url, node1.wsUrl, x.socket);
    const two = await chatOn(node2.url, node2.wsUrl, tab2);
    // Each node learns that the other holds the account too (at its next presence refresh).
    const deadline = Date.now() + 10 * NODE_TTL_MS;
    while (node1.service.broker.nodesHolding(x.user.account.id) !== 2 || node2.service.broker.nodesHolding(x.user.account.id) !== 2) {
      if (Date.now() > deadline) throw new Error('the nodes did not see each other hold the account');
      await new Promise((r) => setTimeout(r, 20));
    }
    const total = (await burst(x.socket, one.chatId, BURST)) + (await burst(tab2, two.chatId, BURST));
    expect(total).toBeLessThanOrEqual(BURST);
    expect(total).toBeGreaterThanOrEqual(BURST - 2);
    for (const s of [x.socket, tab2, one.partner.socket, two.partner.socket]) s.close();
  });
});
