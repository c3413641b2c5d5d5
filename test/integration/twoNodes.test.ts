/**
 * Scale-out: two nodes sharing PostgreSQL and Redis. Connections made on one
 * node reach a person on the other: presence, live dm, stored dm, removal.
 * Runs when DATABASE_URL and REDIS_URL are set (CI sets both).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, startService } from '../helpers/inProcess.js';
import { connected } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;

describe.runIf(databaseUrl && redisUrl)('two nodes over PostgreSQL and Redis', () => {
  const schema = `metsony_nodes_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let admin: pg.Client;
  let node1: Running;
  let node2: Running;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(databaseUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = { DATABASE_URL: url.toString(), REDIS_URL: redisUrl! };
    node1 = await startService(env);
    node2 = await startService(env);
  });

  afterAll(async () => {
    await node1?.stop();
    await node2?.stop();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('an account made on one node signs in on the other', async () => {
    const made = await api<{ recoveryCode: string; account: { id: string } }>(node1.url, 'POST', '/api/accounts', {
      body: { nickname: 'Roamer', interests: [], adult: true },
    });
    const signIn = await api<{ account: { id: string } }>(node2.url, 'POST', '/api/sessions', { body: { recoveryCode: made.body.recoveryCode } });
    expect(signIn.body.account.id).toBe(made.body.account.id);
  });

  it('presence and dm cross nodes; stored messages wait for whoever comes back anywhere', async () => {
    const { a, b, connectionId } = await connected(node1.url, node1.wsUrl);
    // Bob moves to node 2.
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    const bob2 = await TestSocket.signedIn(node2.wsUrl, b.user.token);
    expect(await a.socket.next('presence')).toEqual({ type: 'presence', connectionId, online: true });
    expect((await api<{ connections: Array<{ online: boolean }> }>(node1.url, 'GET', '/api/connections', { token: a.user.token })).body.connections[0]!.online).toBe(true);

    a.socket.send({ type: 'dm', connectionId, id: 'x1', text: 'across the nodes' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ stored: false });
    expect(await bob2.next('dm')).toMatchObject({ connectionId, text: 'across the nodes' });

    bob2.close();
    await a.socket.next('presence', (f) => f.online === false);
    a.socket.send({ type: 'dm', connectionId, id: 'x2', text: 'waiting for you' });
    expect(await a.socket.next('dm_sent')).toMatchObject({ stored: true });
    const bobBack = await TestSocket.open(node2.wsUrl);
    bobBack.send({ type: 'hello', token: b.user.token });
    const inbox = (await bobBack.next('inbox')) as { messages: Array<{ text: string }> };
    expect(inbox.messages.map((m) => m.text)).toEqual(['waiting for you']);

    expect((await api(node1.url, 'DELETE', `/api/connections/${connectionId}`, { token: a.user.token })).status).toBe(204);
    expect(await bobBack.next('connection_removed')).toEqual({ type: 'connection_removed', connectionId });
    a.socket.close();
    bobBack.close();
  });
});
