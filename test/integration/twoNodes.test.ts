/**
 * Scale-out: two nodes sharing PostgreSQL and Redis. Connections made on one
 * node reach a person on the other: presence, live dm, stored dm, removal.
 * Runs when DATABASE_URL and REDIS_URL are set (CI sets both).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoNodes } from '../helpers/cluster.js';
import { api } from '../helpers/http.js';
import { connected, person } from '../helpers/people.js';
import { startServerProcess } from '../helpers/serverProcess.js';
import { TestSocket } from '../helpers/wsClient.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

describe.runIf(databaseUrl && redisUrl)('two nodes over PostgreSQL and Redis', () => {
  const cluster = twoNodes(databaseUrl!, redisUrl!, 'metsony_nodes', { NODE_TTL_MS: '900' });

  it('an account made on one node signs in on the other', async () => {
    const made = await api<{ recoveryCode: string; account: { id: string } }>(cluster.node1.url, 'POST', '/api/accounts', {
      body: { nickname: 'Roamer', interests: [], adult: true },
    });
    const signIn = await api<{ account: { id: string } }>(cluster.node2.url, 'POST', '/api/sessions', { body: { recoveryCode: made.body.recoveryCode } });
    expect(signIn.body.account.id).toBe(made.body.account.id);
  });

  it('a searcher is told how many people are online on every node, not only its own', async () => {
    const here = await person(cluster.node1.url, cluster.node1.wsUrl, [`count-${Math.random().toString(36).slice(2, 8)}`]);
    const online = async () => {
      here.socket.send({ type: 'find', aiPartner: false });
      const { online: n } = await here.socket.next('searching');
      here.socket.send({ type: 'cancel' });
      await here.socket.next('idle');
      return n;
    };
    const before = await online();
    const there = await person(cluster.node2.url, cluster.node2.wsUrl, []);
    // Node 2 publishes its count at its next heartbeat (NODE_TTL_MS / 3) and node 1 reads it at its own: ask again, for 5 s at most.
    const deadline = Date.now() + 5000;
    let after = await online();
    while (after <= before && Date.now() < deadline) after = await online();
    expect(after).toBe(before + 1);
    here.socket.close();
    there.socket.close();
  });

  it('two people on different nodes are matched and chat', async () => {
    const topic = `cross-${Math.random().toString(36).slice(2, 8)}`;
    const a = await person(cluster.node1.url, cluster.node1.wsUrl, [topic], 'OnOne');
    const b = await person(cluster.node2.url, cluster.node2.wsUrl, [topic], 'OnTwo');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    b.socket.send({ type: 'find' });
    const ma = await a.socket.next('matched');
    const mb = await b.socket.next('matched');
    expect(ma.chat.id).toBe(mb.chat.id);
    expect(ma.chat.partner).toEqual({ nickname: 'OnTwo', commonInterests: [topic], ai: false });
    expect(mb.chat.partner).toEqual({ nickname: 'OnOne', commonInterests: [topic], ai: false });
    const chatId = ma.chat.id;
    expect((await a.socket.quiet(100)).filter((f) => f.type === 'matched')).toEqual([]);

    a.socket.send({ type: 'send', chatId, id: 'x', text: 'hello across ✨' });
    expect(await a.socket.next('sent')).toEqual({ type: 'sent', chatId, id: 'x' });
    expect(await b.socket.next('message')).toMatchObject({ chatId, id: 'x', text: 'hello across ✨' });
    b.socket.send({ type: 'typing', chatId, typing: true });
    expect(await a.socket.next('typing')).toEqual({ type: 'typing', chatId, typing: true });
    b.socket.send({ type: 'send', chatId, id: 'y', text: 'and back' });
    expect((await a.socket.next('message')).text).toBe('and back');

    // connecting works across nodes too
    a.socket.send({ type: 'connect', chatId });
    await b.socket.next('connect_requested');
    b.socket.send({ type: 'connect', chatId });
    expect((await a.socket.next('connected')).connection.nickname).toBe('OnTwo');
    expect((await b.socket.next('connected')).connection.nickname).toBe('OnOne');

    b.socket.send({ type: 'leave', chatId });
    expect(await b.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'you_left' });
    expect(await a.socket.next('ended')).toEqual({ type: 'ended', chatId, reason: 'partner_left' });
    a.socket.send({ type: 'send', chatId, id: 'z', text: 'late' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    // both can search again; a dropped socket makes the other side wait (resumeNodes.test.ts)
    const c = await person(cluster.node2.url, cluster.node2.wsUrl, [topic], 'Third');
    a.socket.send({ type: 'find' });
    await a.socket.next('searching');
    c.socket.send({ type: 'find' });
    const chat2 = (await c.socket.next('matched')).chat.id;
    await a.socket.next('matched');
    c.socket.ws.terminate();
    expect(await a.socket.next('partner_away')).toEqual({ type: 'partner_away', chatId: chat2, graceMs: 5_000 });
    a.socket.close();
    b.socket.close();
  });

  it('many people on two nodes all find partners, each exactly once', async () => {
    const topic = `crowd-${Math.random().toString(36).slice(2, 8)}`;
    const people = await Promise.all(
      Array.from({ length: 20 }, (_, i) => person(i % 2 ? cluster.node1.url : cluster.node2.url, i % 2 ? cluster.node1.wsUrl : cluster.node2.wsUrl, [topic], `P${i}`)),
    );
    for (const p of people) p.socket.send({ type: 'find' });
    const matches = await Promise.all(people.map((p) => p.socket.next('matched', undefined, 10_000)));
    const byChat = new Map<string, number>();
    for (const m of matches) byChat.set(m.chat.id, (byChat.get(m.chat.id) ?? 0) + 1);
    expect([...byChat.values()].every((n) => n === 2)).toBe(true);
    expect(byChat.size).toBe(10);
    await new Promise((r) => setTimeout(r, 200));
    for (const p of people) expect(p.socket.unclaimed.filter((f) => f.type === 'matched')).toEqual([]);
    for (const p of people) p.socket.close();
  });

  it('log out and delete everything close the sockets on every node', async () => {
    const made = await api<{ recoveryCode: string; token: string }>(cluster.node1.url, 'POST', '/api/accounts', {
      body: { nickname: 'Everywhere', interests: [], adult: true },
    });
    const onTwo = await TestSocket.signedIn(cluster.node2.wsUrl, made.body.token);
    expect((await api(cluster.node1.url, 'DELETE', '/api/sessions/current', { token: made.body.token })).status).toBe(204);
    expect(await onTwo.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await onTwo.closed).code).toBe(4401);

    const again = await api<{ token: string }>(cluster.node2.url, 'POST', '/api/sessions', { body: { recoveryCode: made.body.recoveryCode } });
    const onOne = await TestSocket.signedIn(cluster.node1.wsUrl, again.body.token);
    expect((await api(cluster.node2.url, 'DELETE', '/api/me', { token: again.body.token })).status).toBe(204);
    expect((await onOne.closed).code).toBe(4401);
  });

  it('when the other node dies mid-chat, the partner is told within the node lifetime (the chat waits)', async () => {
    const node3 = await startServerProcess({ env: cluster.env });
    try {
      const topic = `crash-${Math.random().toString(36).slice(2, 8)}`;
      const a = await person(cluster.node1.url, cluster.node1.wsUrl, [topic], 'Survivor');
      const b = await person(node3.url, node3.wsUrl, [topic], 'Doomed');
      a.socket.send({ type: 'find' });
      await a.socket.next('searching');
      b.socket.send({ type: 'find' });
      const chatId = (await a.socket.next('matched')).chat.id;
      await b.socket.next('matched');
      await node3.kill();
      expect(await a.socket.next('partner_away', undefined, 5000)).toEqual({ type: 'partner_away', chatId, graceMs: 5_000 });
      a.socket.close();
    } finally {
      await node3.kill();
    }
  });

  it('presence and dm cross nodes; stored messages wait for whoever comes back anywhere', async () => {
    const { a, b, connectionId } = await connected(cluster.node1.url, cluster.node1.wsUrl);
    // Bob moves to node 2.
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    const bob2 = await TestSocket.signedIn(cluster.node2.wsUrl, b.user.token);
    expect(await a.socket.next('presence')).toEqual({ type: 'presence', connectionId, online: true });
    expect((await api<{ connections: Array<{ online: boolean }> }>(cluster.node1.url, 'GET', '/api/connections', { token: a.user.token })).body.connections[0]!.online).toBe(true);

    a.socket.send({ type: 'dm', connectionId, id: 'x1', text: 'across the nodes' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ stored: false });
    expect(await bob2.next('dm')).toMatchObject({ connectionId, text: 'across the nodes' });

    bob2.close();
    await a.socket.next('presence', (f) => f.online === false);
    a.socket.send({ type: 'dm', connectionId, id: 'x2', text: 'waiting for you' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ stored: true });
    const bobBack = await TestSocket.open(cluster.node2.wsUrl);
    bobBack.send({ type: 'hello', token: b.user.token });
    const inbox = (await bobBack.next('inbox')) as { messages: Array<{ text: string }> };
    expect(inbox.messages.map((m) => m.text)).toEqual(['waiting for you']);

    expect((await api(cluster.node1.url, 'DELETE', `/api/connections/${connectionId}`, { token: a.user.token })).status).toBe(204);
    expect(await bobBack.next('connection_removed')).toEqual({ type: 'connection_removed', connectionId });
    a.socket.close();
    bobBack.close();
  });
});
