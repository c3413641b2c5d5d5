/** PROTOCOL §2–3 "Connections": mutual consent, presence, live vs stored dm, inbox, read, limits, removal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';

serversOnPostgres();
import { chatting, connected, meetAndConnect, person } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: Running;
beforeAll(async () => {
  server = await startService({ INBOX_PER_CONNECTION_MAX: '3', INBOX_MAX: '5' });
});
afterAll(async () => {
  await server.stop();
});

const list = async (token: string) =>
  (await api<{ connections: Array<Record<string, unknown>> }>(server.url, 'GET', '/api/connections', { token })).body.connections;

describe('the handshake', () => {
  it('one side asking only tells the other; nobody is connected without asking', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'connect', chatId });
    expect(await b.socket.next('connect_requested')).toEqual({ type: 'connect_requested', chatId });
    await a.socket.handled();
    expect([...a.socket.received('connected'), ...a.socket.received('connect_requested')]).toEqual([]);
    expect(await list(a.user.token)).toEqual([]);
    expect(await list(b.user.token)).toEqual([]);
    a.socket.close();
    b.socket.close();
  });

  it('when both ask, both get connected with the other as the connection', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl, ['Ann', 'Ben']);
    a.socket.send({ type: 'connect', chatId });
    await b.socket.next('connect_requested');
    b.socket.send({ type: 'connect', chatId });
    const ca = await a.socket.next('connected');
    const cb = await b.socket.next('connected');
    expect(ca).toEqual({ type: 'connected', chatId, connection: { id: expect.any(String), nickname: 'Ben', online: true, unread: 0, since: expect.any(String) } });
    expect(cb.connection).toMatchObject({ id: ca.connection.id, nickname: 'Ann', online: true, unread: 0 });
    expect(await list(a.user.token)).toEqual([ca.connection]);
    expect(await list(b.user.token)).toEqual([cb.connection]);
    // asking again: the same connection, no duplicate
    a.socket.send({ type: 'connect', chatId });
    expect((await a.socket.next('connected')).connection.id).toBe(ca.connection.id);
    expect(await list(a.user.token)).toHaveLength(1);
    a.socket.close();
    b.socket.close();
  });

  it('both asking at the same instant: each gets connected exactly once', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'connect', chatId });
    b.socket.send({ type: 'connect', chatId });
    const ca = await a.socket.next('connected');
    const cb = await b.socket.next('connected');
    expect(ca.connection.id).toBe(cb.connection.id);
    await a.socket.handled();
    await b.socket.handled();
    for (const s of [a.socket, b.socket]) expect([...s.received('connected'), ...s.received('error')]).toHaveLength(1);
    expect(await list(a.user.token)).toHaveLength(1);
    a.socket.close();
    b.socket.close();
  });

  it('works after the chat has ended, and only for its two people', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    a.socket.send({ type: 'leave', chatId });
    await b.socket.next('ended');
    const outsider = await person(server.url, server.wsUrl, []);
    outsider.socket.send({ type: 'connect', chatId });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    b.socket.send({ type: 'connect', chatId });
    await a.socket.next('connect_requested');
    a.socket.send({ type: 'connect', chatId });
    expect((await a.socket.next('connected')).connection.nickname).toBe('Bob');
    expect((await b.socket.next('connected')).connection.nickname).toBe('Alice');
    for (const p of [a, b, outsider]) p.socket.close();
  });
});

describe('presence', () => {
  it('comes with the first socket and goes with the last (two tabs count as one)', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const tab2 = await TestSocket.signedIn(server.wsUrl, b.user.token);
    expect((await a.socket.quiet(150)).filter((f) => f.type === 'presence')).toEqual([]);
    b.socket.close();
    expect((await a.socket.quiet(200)).filter((f) => f.type === 'presence')).toEqual([]);
    expect((await list(a.user.token))[0]).toMatchObject({ online: true });
    tab2.close();
    expect(await a.socket.next('presence')).toEqual({ type: 'presence', connectionId, online: false });
    expect((await list(a.user.token))[0]).toMatchObject({ online: false });
    const back = await TestSocket.signedIn(server.wsUrl, b.user.token);
    expect(await a.socket.next('presence')).toEqual({ type: 'presence', connectionId, online: true });
    a.socket.close();
    back.close();
  });
});

describe('messages between connections', () => {
  it('an online recipient gets the dm live and it is not stored', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    a.socket.send({ type: 'dm', connectionId, id: 'd1', text: 'live hello ✨' });
    expect(await a.socket.next('dm_sent')).toEqual({ type: 'dm_sent', connectionId, id: 'd1', stored: false, at: expect.any(String) });
    expect(await b.socket.next('dm')).toEqual({ type: 'dm', connectionId, id: 'd1', text: 'live hello ✨', at: expect.any(String) });
    expect((await api(server.url, 'GET', '/api/inbox', { token: b.user.token })).body).toEqual({ messages: [] });
    a.socket.close();
    b.socket.close();
  });

  it('an offline recipient finds stored messages in inbox after ready, and reading deletes them', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    for (const [i, text] of ['first', 'second 🌙'].entries()) {
      a.socket.send({ type: 'dm', connectionId, id: `o${i}`, text });
      expect(await a.socket.next('dm_sent')).toEqual({ type: 'dm_sent', connectionId, id: `o${i}`, stored: true, at: expect.any(String) });
    }
    expect((await list(b.user.token))[0]).toMatchObject({ unread: 2, online: true });

    const back = await TestSocket.open(server.wsUrl);
    back.send({ type: 'hello', token: b.user.token });
    expect((await back.next()).type).toBe('ready');
    const inbox = await back.next();
    expect(inbox).toEqual({
      type: 'inbox',
      messages: [
        { id: expect.any(String), connectionId, text: 'first', at: expect.any(String) },
        { id: expect.any(String), connectionId, text: 'second 🌙', at: expect.any(String) },
      ],
    });
    const ids = (inbox as { messages: Array<{ id: string }> }).messages.map((m) => m.id);
    const http = await api<{ messages: unknown[] }>(server.url, 'GET', '/api/inbox', { token: b.user.token });
    expect(http.body.messages).toEqual((inbox as { messages: unknown[] }).messages);

    // someone else cannot read (delete) them: ignored, not an error
    const stranger = await person(server.url, server.wsUrl, []);
    expect((await api(server.url, 'POST', '/api/inbox/read', { token: stranger.user.token, body: { ids } })).status).toBe(204);
    stranger.socket.send({ type: 'read', ids });
    await stranger.socket.handled();
    expect(stranger.socket.received('error')).toEqual([]);
    expect((await api<{ messages: unknown[] }>(server.url, 'GET', '/api/inbox', { token: b.user.token })).body.messages).toHaveLength(2);

    back.send({ type: 'read', ids: [ids[0], 'not-a-real-id'] });
    await back.handled();
    expect((await api<{ messages: Array<{ id: string }> }>(server.url, 'GET', '/api/inbox', { token: b.user.token })).body.messages.map((m) => m.id)).toEqual([ids[1]]);
    expect((await api(server.url, 'POST', '/api/inbox/read', { token: b.user.token, body: { ids: [ids[1]] } })).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/inbox', { token: b.user.token })).body).toEqual({ messages: [] });
    expect((await list(b.user.token))[0]).toMatchObject({ unread: 0 });
    for (const s of [a.socket, back, stranger.socket]) s.close();
  });

  it('inbox limits: at most 3 (configured) waiting from one connection, then inbox_full', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    for (let i = 0; i < 3; i++) {
      a.socket.send({ type: 'dm', connectionId, id: `l${i}`, text: `m${i}` });
      expect((await a.socket.next('dm_sent')).stored).toBe(true);
    }
    a.socket.send({ type: 'dm', connectionId, id: 'over', text: 'one too many' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'inbox_full' });
    expect((await api<{ messages: unknown[] }>(server.url, 'GET', '/api/inbox', { token: b.user.token })).body.messages).toHaveLength(3);
    a.socket.close();
  });

  it('the total inbox limit (5 configured) counts messages from every connection', async () => {
    const target = await person(server.url, server.wsUrl, [], 'Target');
    const one = await person(server.url, server.wsUrl, [], 'One');
    const two = await person(server.url, server.wsUrl, [], 'Two');
    const viaOne = await meetAndConnect(one, target);
    const viaTwo = await meetAndConnect(two, target);
    target.socket.close();
    await one.socket.next('presence', (f) => f.online === false);
    const dm = async (from: typeof one, connectionId: string, id: string) => {
      from.socket.send({ type: 'dm', connectionId, id, text: id });
      return from.socket.next(undefined, (f) => f.type === 'dm_sent' || f.type === 'error');
    };
    for (let i = 0; i < 3; i++) expect(await dm(one, viaOne, `a${i}`)).toMatchObject({ type: 'dm_sent', stored: true });
    for (let i = 0; i < 2; i++) expect(await dm(two, viaTwo, `b${i}`)).toMatchObject({ type: 'dm_sent', stored: true });
    expect(await dm(two, viaTwo, 'b-over')).toMatchObject({ type: 'error', code: 'inbox_full' });
    // reading makes room again
    const inbox = await api<{ messages: Array<{ id: string }> }>(server.url, 'GET', '/api/inbox', { token: target.user.token });
    await api(server.url, 'POST', '/api/inbox/read', { token: target.user.token, body: { ids: [inbox.body.messages[0]!.id] } });
    expect(await dm(two, viaTwo, 'b-after')).toMatchObject({ type: 'dm_sent', stored: true });
    one.socket.close();
    two.socket.close();
  });

  it('a dm to a connection that does not exist, or is not yours, is not_found', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const outsider = await person(server.url, server.wsUrl, []);
    outsider.socket.send({ type: 'dm', connectionId, id: 'x', text: 'hi' });
    expect(await outsider.socket.next('error')).toMatchObject({ code: 'not_found' });
    a.socket.send({ type: 'dm', connectionId: 'nope', id: 'x', text: 'hi' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'not_found' });
    for (const s of [a.socket, b.socket, outsider.socket]) s.close();
  });
});

describe('removing a connection', () => {
  it('is gone for both sides with its waiting messages; the other side is told', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl);
    const bToken = b.user.token;
    b.socket.close();
    await a.socket.next('presence', (f) => f.online === false);
    a.socket.send({ type: 'dm', connectionId, id: 'w', text: 'waiting' });
    expect((await a.socket.next('dm_sent')).stored).toBe(true);
    const bBack = await TestSocket.open(server.wsUrl);
    bBack.send({ type: 'hello', token: bToken });
    await bBack.next('ready');
    expect(((await bBack.next('inbox')) as { messages: unknown[] }).messages).toHaveLength(1);

    const outsider = await person(server.url, server.wsUrl, []);
    expect((await api(server.url, 'DELETE', `/api/connections/${connectionId}`, { token: outsider.user.token })).status).toBe(404);
    expect((await api(server.url, 'DELETE', `/api/connections/${connectionId}`, { token: a.user.token })).status).toBe(204);
    expect(await bBack.next('connection_removed')).toEqual({ type: 'connection_removed', connectionId });
    expect(await list(a.user.token)).toEqual([]);
    expect(await list(bToken)).toEqual([]);
    expect((await api(server.url, 'GET', '/api/inbox', { token: bToken })).body).toEqual({ messages: [] });
    a.socket.send({ type: 'dm', connectionId, id: 'after', text: 'still there?' });
    expect(await a.socket.next('error')).toMatchObject({ code: 'not_found' });
    expect((await api(server.url, 'DELETE', `/api/connections/${connectionId}`, { token: a.user.token })).status).toBe(404);
    for (const s of [a.socket, bBack, outsider.socket]) s.close();
  });

  it('HTTP endpoints need a token and a well-formed body', async () => {
    expect((await api(server.url, 'GET', '/api/connections')).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/inbox')).status).toBe(401);
    const p = await person(server.url, server.wsUrl, []);
    expect((await api(server.url, 'POST', '/api/inbox/read', { token: p.user.token, body: { ids: 'x' } })).status).toBe(400);
    expect((await api(server.url, 'POST', '/api/inbox/read', { token: p.user.token, body: { ids: [], more: 1 } })).status).toBe(400);
    p.socket.close();
  });
});
