/** Issue 4 / P3, P4, P9, P10, P14: export, delete everything, rotate the code, log out, reveal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type SignUp } from '../helpers/http.js';
import { type Running, serversOnPostgres, startService } from '../helpers/inProcess.js';

serversOnPostgres();
import { chatting, connected, meetAndConnect, person } from '../helpers/people.js';
import { TestSocket } from '../helpers/wsClient.js';

let server: Running;
beforeAll(async () => {
  server = await startService();
});
afterAll(async () => {
  await server.stop();
});

describe('export', () => {
  it('contains every datum the account has, as an attachment', async () => {
    const { a, b, chatId, connectionId } = await connected(server.url, server.wsUrl, ['Exporter', 'Friend']);
    a.socket.send({ type: 'leave', chatId });
    await a.socket.next('ended');
    const c = await person(server.url, server.wsUrl, [], 'Other');
    const viaC = await meetAndConnect(a, c);
    b.socket.close();
    c.socket.close();
    await a.socket.next('presence', (f) => f.online === false && f.connectionId === connectionId);
    a.socket.send({ type: 'dm', connectionId, id: 'x', text: 'sent while away' });
    expect((await a.socket.next('dm_sent')).stored).toBe(true);
    // a message to a from c, while a is away (c is told when a has gone)
    const cBack = await TestSocket.signedIn(server.wsUrl, c.user.token);
    a.socket.close();
    await cBack.next('presence', (f) => f.connectionId === viaC && f.online === false);
    cBack.send({ type: 'dm', connectionId: viaC, id: 'y', text: 'for the exporter' });
    expect((await cBack.next('dm_sent')).stored).toBe(true);

    const res = await fetch(`${server.url}/api/me/export`, { headers: { authorization: `Bearer ${a.user.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="metsony-export-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.headers.get('content-type')).toContain('application/json');
    const data = (await res.json()) as Record<string, unknown>;
    expect(data).toMatchObject({
      format: 'metsony-export/1',
      account: a.user.account,
      sessions: [{ createdAt: a.user.account.createdAt, current: true }],
      connections: expect.arrayContaining([
        expect.objectContaining({ id: connectionId, nickname: 'Friend' }),
        expect.objectContaining({ id: viaC, nickname: 'Other', unread: 1 }),
      ]),
      offlineMessages: {
        received: [expect.objectContaining({ connectionId: viaC, text: 'for the exporter' })],
        sent: [expect.objectContaining({ connectionId, text: 'sent while away' })],
      },
      blocks: [],
      linkedIdentities: [],
    });
    expect(JSON.stringify(data)).not.toContain(a.user.recoveryCode);
    expect(JSON.stringify(data)).not.toContain(a.user.token);
    cBack.close();
  });
});

describe('delete everything', () => {
  it('erases the account: code and tokens 401, connections told, sockets closed, export 401', async () => {
    const { a, b, connectionId } = await connected(server.url, server.wsUrl, ['Leaver', 'Stayer']);
    const second = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: a.user.recoveryCode } });
    const res = await api(server.url, 'DELETE', '/api/me', { token: a.user.token });
    expect(res.status).toBe(204);
    expect(await b.socket.next('connection_removed')).toEqual({ type: 'connection_removed', connectionId });
    expect(await a.socket.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await a.socket.closed).code).toBe(4401);
    for (const token of [a.user.token, second.body.token]) {
      expect((await api(server.url, 'GET', '/api/me', { token })).status).toBe(401);
      expect((await api(server.url, 'GET', '/api/me/export', { token })).status).toBe(401);
    }
    expect((await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: a.user.recoveryCode } })).status).toBe(401);
    const hello = await TestSocket.open(server.wsUrl);
    hello.send({ type: 'hello', token: a.user.token });
    expect((await hello.closed).code).toBe(4401);
    expect((await api<{ connections: unknown[] }>(server.url, 'GET', '/api/connections', { token: b.user.token })).body.connections).toEqual([]);
    expect((await api(server.url, 'DELETE', '/api/me', { token: a.user.token })).status).toBe(401);
    b.socket.close();
  });
});

describe('rotating the recovery code', () => {
  it('shows a new code once; the old code and every other token stop working', async () => {
    const p = await person(server.url, server.wsUrl, []);
    const other = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: p.user.recoveryCode } });
    const rotated = await api<{ recoveryCode: string; token: string }>(server.url, 'POST', '/api/me/recovery-code', { token: p.user.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.recoveryCode).toMatch(/^[a-z]+(-[a-z]+){5,}$/);
    expect(rotated.body.recoveryCode).not.toBe(p.user.recoveryCode);
    expect((await p.socket.closed).code).toBe(4401);
    for (const token of [p.user.token, other.body.token]) expect((await api(server.url, 'GET', '/api/me', { token })).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/me', { token: rotated.body.token })).status).toBe(200);
    expect((await api(server.url, 'POST', '/api/sessions', { body: { recoveryCode: p.user.recoveryCode } })).status).toBe(401);
    const signIn = await api<{ account: SignUp['account'] }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: rotated.body.recoveryCode } });
    expect(signIn.body.account.id).toBe(p.user.account.id);
  });
});

describe('log out', () => {
  it('revokes the token and closes the sockets that used it, not the others', async () => {
    const p = await person(server.url, server.wsUrl, []);
    const other = await api<{ token: string }>(server.url, 'POST', '/api/sessions', { body: { recoveryCode: p.user.recoveryCode } });
    const otherSocket = await TestSocket.signedIn(server.wsUrl, other.body.token);
    expect((await api(server.url, 'DELETE', '/api/sessions/current', { token: p.user.token })).status).toBe(204);
    expect((await p.socket.closed).code).toBe(4401);
    otherSocket.send({ type: 'ping' });
    expect((await otherSocket.next('pong')).type).toBe('pong');
    otherSocket.close();
  });
});

describe('reveal profile', () => {
  it('relays the profile to the partner only, once, as given', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    const profile = { firstName: 'Zoë', age: 29, gender: 'woman', location: 'Lisbon' };
    a.socket.send({ type: 'reveal', chatId, profile });
    expect(await b.socket.next('revealed')).toEqual({ type: 'revealed', chatId, profile });
    await TestSocket.settled(a.socket, b.socket);
    expect(a.socket.received('revealed')).toEqual([]);
    b.socket.send({ type: 'reveal', chatId, profile: { firstName: 'Ben' } });
    expect(await a.socket.next('revealed')).toEqual({ type: 'revealed', chatId, profile: { firstName: 'Ben' } });
    a.socket.close();
    b.socket.close();
  });

  it('refuses a malformed, oversized or empty profile, and outside a chat', async () => {
    const { a, b, chatId } = await chatting(server.url, server.wsUrl);
    for (const profile of [{}, { firstName: '   ' }, { age: 12 }, { age: '30' }, { firstName: 'x'.repeat(65) }, { email: 'a@b.c' }, 'Zoë']) {
      a.socket.send({ type: 'reveal', chatId, profile });
      expect(await a.socket.next('error'), JSON.stringify(profile)).toMatchObject({ code: 'bad_request' });
    }
    await TestSocket.settled(a.socket, b.socket);
    expect(b.socket.received('revealed')).toEqual([]);
    a.socket.send({ type: 'leave', chatId });
    await a.socket.next('ended');
    a.socket.send({ type: 'reveal', chatId, profile: { firstName: 'Late' } });
    expect(await a.socket.next('error')).toMatchObject({ code: 'not_in_chat' });
    a.socket.close();
    b.socket.close();
  });
});
