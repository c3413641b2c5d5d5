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
