/**
 * Issue 10, several nodes (PostgreSQL + Redis): a chat survives a dropped
 * connection, a node killed with -9 and a node stopped for a deploy; the
 * person comes back on any node and resumes, partner and held messages
 * included. Held texts never reach Redis.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { twoNodes } from '../helpers/cluster.js';
import { freshTopic, person, type Person } from '../helpers/people.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
const GRACE_MS = 20_000;
/** Tests that start, kill or stop a server process of their own (tsx start-up is slow on a busy machine). */
const PROCESS_TEST_MS = 90_000;

type Node = { url: string; wsUrl: string };

describe.runIf(databaseUrl && redisUrl)('resume across nodes', () => {
  const cluster = twoNodes(databaseUrl!, redisUrl!, 'metsony_resume_nodes', { NODE_TTL_MS: '900', CHAT_GRACE_MS: String(GRACE_MS) });
  const extra: ServerProcess[] = [];
  afterAll(async () => {
    for (const node of extra) await node.kill();
  });

  async function thirdNode(): Promise<ServerProcess> {
    const node = await startServerProcess({ env: cluster.env });
    extra.push(node);
    return node;
  }

  /** Two people matched, `x` on node `nx` and `y` on node `ny`. */
  async function match(nx: Node, ny: Node, names: [string, string] = ['Xena', 'Yuri']) {
    const topic = freshTopic();
    const x = await person(nx.url, nx.wsUrl, [topic], names[0]);
    const y = await person(ny.url, ny.wsUrl, [topic], names[1]);
    x.socket.send({ type: 'find' });
    await x.socket.next('searching');
    y.socket.send({ type: 'find' });
    const chatId = (await x.socket.next('matched', undefined, 10_000)).chat.id;
    await y.socket.next('matched', undefined, 10_000);
    return { x, y, chatId };
  }

  /** `who` comes back on `node` and resumes; resolves with the `resumed` frame. */
  async function resumeOn(node: Node, who: Person, chatId: string) {
    const socket = await TestSocket.signedIn(node.wsUrl, who.user.token);
    socket.send({ type: 'resume', chatId });
    return { socket, resumed: await socket.next('resumed', undefined, 10_000) };
  }

  it('a dropped connection in a cross-node chat: back on its own node, then on the other one', async () => {
    const { node1, node2 } = cluster;
    const { x, y, chatId } = await match(node1, node2);
    x.socket.ws.terminate();
    expect(await y.socket.next('partner_away')).toEqual({ type: 'partner_away', chatId, graceMs: GRACE_MS });
    y.socket.send({ type: 'send', chatId, id: 'y1', text: 'are you there?' });
    expect(await y.socket.next('sent')).toEqual({ type: 'sent', chatId, id: 'y1', queued: true });

    // Back on node 1, where the chat is no longer held: it is found through Redis on node 2.
    const first = await resumeOn(node1, x, chatId);
    expect(first.resumed.chat).toEqual({ id: chatId, partner: { nickname: 'Yuri', commonInterests: expect.any(Array), ai: false } });
    expect(first.resumed.missed.map((m) => m.text)).toEqual(['are you there?']);
    expect(await y.socket.next('partner_back')).toEqual({ type: 'partner_back', chatId });
    expect(await y.socket.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['y1'] });
    first.socket.send({ type: 'send', chatId, id: 'x1', text: 'yes' });
    expect(await y.socket.next('message')).toMatchObject({ id: 'x1', text: 'yes' });
    y.socket.send({ type: 'send', chatId, id: 'y2', text: 'good' });
    expect(await first.socket.next('message')).toMatchObject({ id: 'y2', text: 'good' });

    // Dropped again, back on node 2 this time: the chat is held right there.
    first.socket.ws.terminate();
    await y.socket.next('partner_away');
    const second = await resumeOn(node2, x, chatId);
    expect(second.resumed.missed).toEqual([]);
    await y.socket.next('partner_back');
    second.socket.send({ type: 'send', chatId, id: 'x2', text: 'same node now' });
    expect(await y.socket.next('message')).toMatchObject({ id: 'x2' });
    second.socket.close();
    y.socket.close();
  });

  it('a stranger cannot take a cross-node chat with its id', async () => {
    const { node1, node2 } = cluster;
    const { x, y, chatId } = await match(node1, node2);
    x.socket.ws.terminate();
    await y.socket.next('partner_away');
    const stranger = await person(node1.url, node1.wsUrl, []);
    stranger.socket.send({ type: 'resume', chatId });
    expect(await stranger.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    const back = await resumeOn(node1, x, chatId);
    expect(back.resumed.chat.id).toBe(chatId);
    back.socket.close();
    y.socket.close();
    stranger.socket.close();
  });

  it('kill -9 of one person’s node: the partner keeps the chat; resume on another node', async () => {
    const doomed = await thirdNode();
    const { x, y, chatId } = await match(doomed, cluster.node1, ['Gone', 'Stays']);
    await doomed.kill();
    expect(await y.socket.next('partner_away', undefined, 5_000)).toEqual({ type: 'partner_away', chatId, graceMs: GRACE_MS });
    y.socket.send({ type: 'send', chatId, id: 'k1', text: 'your node died' });
    expect(await y.socket.next('sent')).toMatchObject({ queued: true });
    const back = await resumeOn(cluster.node2, x, chatId);
    expect(back.resumed.chat.partner.nickname).toBe('Stays');
    expect(back.resumed.missed.map((m) => m.id)).toEqual(['k1']);
    await y.socket.next('partner_back');
    expect(await y.socket.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['k1'] });
    back.socket.close();
    y.socket.close();
  }, PROCESS_TEST_MS);

  it('SIGTERM of one person’s node: shutdown {reconnect:true}, the partner waits, resume on another node', async () => {
    const leaving = await thirdNode();
    const { x, y, chatId } = await match(leaving, cluster.node1, ['Deployed', 'Patient']);
    const stopped = leaving.stop();
    expect(await x.socket.next('shutdown')).toEqual({ type: 'shutdown', reconnect: true });
    expect(await y.socket.next('partner_away', undefined, 5_000)).toMatchObject({ chatId });
    expect(x.socket.received('ended')).toEqual([]);
    expect(await stopped).toBe(0);
    const back = await resumeOn(cluster.node2, x, chatId);
    expect(back.resumed.chat.partner.nickname).toBe('Patient');
    await y.socket.next('partner_back');
    y.socket.send({ type: 'send', chatId, id: 'after', text: 'welcome' });
    expect(await back.socket.next('message')).toMatchObject({ id: 'after' });
    back.socket.close();
    y.socket.close();
  }, PROCESS_TEST_MS);

  it('SIGTERM of the node holding both people: each resumes on another node, held messages included', async () => {
    const leaving = await thirdNode();
    const { x, y, chatId } = await match(leaving, leaving, ['Ada', 'Bo']);
    const stopped = leaving.stop();
    expect(await x.socket.next('shutdown')).toEqual({ type: 'shutdown', reconnect: true });
    expect(await y.socket.next('shutdown')).toEqual({ type: 'shutdown', reconnect: true });
    expect(await stopped).toBe(0);

    const ada = await resumeOn(cluster.node1, x, chatId);
    expect(ada.resumed).toMatchObject({ chat: { id: chatId, partner: { nickname: 'Bo', ai: false } }, missed: [] });
    expect(await ada.socket.next('partner_away')).toMatchObject({ chatId });
    ada.socket.send({ type: 'send', chatId, id: 'a1', text: 'first back' });
    expect(await ada.socket.next('sent')).toMatchObject({ queued: true });

    const bo = await resumeOn(cluster.node2, y, chatId);
    expect(bo.resumed.chat.partner.nickname).toBe('Ada');
    expect(bo.resumed.missed.map((m) => m.text)).toEqual(['first back']);
    expect(await ada.socket.next('partner_back')).toEqual({ type: 'partner_back', chatId });
    expect(await ada.socket.next('delivered')).toEqual({ type: 'delivered', chatId, ids: ['a1'] });
    bo.socket.send({ type: 'send', chatId, id: 'b1', text: 'me too' });
    expect(await ada.socket.next('message')).toMatchObject({ id: 'b1' });
    ada.socket.close();
    bo.socket.close();
  }, PROCESS_TEST_MS);

  /** Every row of every table of the nodes' schema, as text. */
  async function databaseText(): Promise<string> {
    const client = new pg.Client({ connectionString: cluster.env.DATABASE_URL });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      let all = '';
      for (const { table_name } of tables.rows) all += JSON.stringify((await client.query(`SELECT t::text AS row FROM "${table_name}" t`)).rows);
      return all;
    } finally {
      await client.end();
    }
  }

  it('what Redis and PostgreSQL hold while a chat waits is membership only, never a held text', async () => {
    const { x, y, chatId } = await match(cluster.node1, cluster.node2);
    x.socket.ws.terminate();
    await y.socket.next('partner_away');
    const text = `held-${randomBytes(12).toString('hex')}`;
    y.socket.send({ type: 'send', chatId, id: 'r1', text });
    await y.socket.next('sent');
    const redis = new Redis(redisUrl!);
    try {
      const keys = await redis.keys('*');
      expect(keys).toContain(`metsony:resume:${chatId}`);
      const values = await Promise.all(keys.map(async (k) => ((await redis.type(k)) === 'string' ? await redis.get(k) : JSON.stringify(await redis.dump(k)))));
      expect(values.filter((v) => v?.includes(text))).toEqual([]);
      expect(JSON.parse((await redis.get(`metsony:resume:${chatId}`))!)).toMatchObject({ away: [{ nickname: 'Xena' }], common: expect.any(Array) });
    } finally {
      redis.disconnect();
    }
    const stored = await databaseText();
    expect(stored).toContain('Xena'); // the search reads real rows
    expect(stored).not.toContain(text);
    y.socket.close();
  });
});
